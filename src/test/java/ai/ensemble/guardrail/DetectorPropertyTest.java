package ai.ensemble.guardrail;

import java.util.concurrent.atomic.AtomicInteger;

import ai.ensemble.support.PropertyCheck;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Properties of every built-in detector and the redactor on hostile text up to 64 KB (see
 * {@link HostileText}): no exception, every finding lies inside the text, and no detector takes a
 * second, however the text is built to make its expressions backtrack.
 */
class DetectorPropertyTest {

    private static final long SECOND = 1_000_000_000L;

    private final Redactor redactor = new Redactor(Detectors.all(), ActionPolicy.redactAll());
    private final AtomicInteger findings = new AtomicInteger();

    @Test
    void everyDetectorAnswersWithinASecondWithFindingsInsideTheText() {
        PropertyCheck.forAll("detectors stay inside the text and within a second", HostileText::any)
                .share(2)
                .shrinkingWith(PropertyCheck::smallerStrings)
                .describedAs(PropertyCheck::abbreviate)
                .check(this::scansSafely);
        assertThat(findings.get()).as("findings over all texts: the generator must give the detectors something to find").isPositive();
    }

    private void scansSafely(String text) {
        for (Detector detector : Detectors.all()) {
            long began = System.nanoTime();
            for (Finding finding : detector.scan(text)) {
                findings.incrementAndGet();
                assertThat(finding.detector()).isEqualTo(detector.id());
                assertThat(finding.end()).as("%s in a text of %d characters", finding, text.length()).isLessThanOrEqualTo(text.length());
            }
            assertThat(System.nanoTime() - began).as("%s's scan time in ns", detector.id()).isLessThan(SECOND);
        }
        Redaction redaction = redactor.redact(text, new RedactionContext());
        for (Verdict verdict : redaction.verdicts()) {
            assertThat(verdict.finding().end()).isLessThanOrEqualTo(text.length());
        }
    }
}
