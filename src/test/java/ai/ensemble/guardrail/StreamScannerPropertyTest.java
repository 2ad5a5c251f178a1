package ai.ensemble.guardrail;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

import ai.ensemble.support.PropertyCheck;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link StreamScanner}'s contract as properties: fed any split of a text (empty chunks, single
 * characters, chunks that cut a surrogate pair or a finding, one big chunk), it releases exactly
 * what {@link Redactor#redact} makes of the whole text, with the same verdicts; under a policy that
 * blocks, it stops where the whole-text redaction blocks and never releases more than a prefix of
 * it. Texts keep to the detectors' contract (runs of non-whitespace well under {@code maxHold}).
 */
class StreamScannerPropertyTest {

    /** A text and the seed of the way it is cut into chunks (kept while the text shrinks). */
    record Split(String text, long cuts) {

        List<String> chunks() {
            SplittableRandom random = new SplittableRandom(cuts);
            int mode = random.nextInt(4);
            List<String> chunks = new ArrayList<>();
            int at = 0;
            while (at < text.length()) {
                int size = switch (mode) {
                    case 0 -> 1;
                    case 1 -> random.nextInt(8); // empty chunks too
                    case 2 -> random.nextInt(200);
                    default -> random.nextInt(2) == 0 ? text.length() : random.nextInt(3000);
                };
                int end = Math.min(text.length(), at + size);
                chunks.add(text.substring(at, end));
                at = end;
            }
            return chunks;
        }
    }

    private final AtomicInteger redactions = new AtomicInteger();
    private final AtomicInteger blocks = new AtomicInteger();
    private final Redactor redacting = new Redactor(Detectors.all(), ActionPolicy.redactAll());
    private final Redactor blocking = new Redactor(Detectors.all(),
            ActionPolicy.of(Map.of(EntityType.PRIVATE_KEY, Action.BLOCK, EntityType.CREDIT_CARD, Action.BLOCK), Action.REDACT));

    @Test
    void anySplitReleasesTheWholeTextsRedaction() {
        splits("stream release equals whole-text redaction").check(split -> {
            Redaction whole = redacting.redact(split.text(), new RedactionContext());
            StreamScanner scanner = new StreamScanner(redacting, new RedactionContext());
            StringBuilder released = new StringBuilder();
            List<Verdict> verdicts = new ArrayList<>();
            for (String chunk : split.chunks()) {
                StreamScanner.Emission emission = scanner.accept(chunk);
                released.append(emission.text());
                verdicts.addAll(emission.verdicts());
            }
            StreamScanner.Emission last = scanner.finish();
            released.append(last.text());
            verdicts.addAll(last.verdicts());
            assertThat(released.toString()).isEqualTo(whole.text());
            assertThat(verdicts).containsExactlyElementsOf(whole.verdicts());
            redactions.addAndGet(whole.verdicts().size());
        });
        assertThat(redactions.get()).as("redactions over all texts: the generator must give the scanner something to hold back").isPositive();
    }

    @Test
    void anySplitBlocksWhereTheWholeTextBlocksAndReleasesOnlyAPrefix() {
        splits("stream blocks like the whole text").check(split -> {
            Redaction whole = blocking.redact(split.text(), new RedactionContext());
            StreamScanner scanner = new StreamScanner(blocking, new RedactionContext());
            StringBuilder released = new StringBuilder();
            for (String chunk : split.chunks()) {
                released.append(scanner.accept(chunk).text());
            }
            StreamScanner.Emission last = scanner.finish();
            released.append(last.text());
            assertThat(last.blocked()).as("blocked").isEqualTo(whole.blocked());
            if (whole.blocked()) {
                blocks.incrementAndGet();
                assertThat(whole.text()).startsWith(released.toString());
                assertThat(scanner.released()).isEqualTo(released.toString());
            } else {
                assertThat(released.toString()).isEqualTo(whole.text());
            }
        });
        assertThat(blocks.get()).as("texts the policy blocks").isPositive();
    }

    private static PropertyCheck<Split> splits(String name) {
        return PropertyCheck.forAll(name, random -> new Split(HostileText.streamable(random, 6000), random.nextLong()))
                .share(1.5)
                .shrinkingWith(split -> PropertyCheck.smallerStrings(split.text()).map(text -> new Split(text, split.cuts())))
                .describedAs(split -> PropertyCheck.abbreviate(split.text()) + " cut with seed " + split.cuts());
    }
}
