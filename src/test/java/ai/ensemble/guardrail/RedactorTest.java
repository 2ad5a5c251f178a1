package ai.ensemble.guardrail;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class RedactorTest {

    private final Redactor redactor = new Redactor(Detectors.all(), ActionPolicy.redactAll());

    @Test
    void sameValueGetsTheSamePlaceholderAcrossMessagesOfARequest() {
        RedactionContext request = new RedactionContext();
        Redaction system = redactor.redact("Reply to ann@example.com only.", request);
        Redaction user = redactor.redact("Ask ANN@example.com, then bob@example.org, then ann@example.com again.", request);

        assertThat(system.text()).isEqualTo("Reply to [EMAIL_1] only.");
        assertThat(user.text()).isEqualTo("Ask [EMAIL_1], then [EMAIL_2], then [EMAIL_1] again.");
        assertThat(user.verdicts()).hasSize(3).allMatch(verdict -> verdict.action() == Action.REDACT);
    }

    @Test
    void cardNumberWrittenWithOtherSeparatorsIsTheSameValue() {
        RedactionContext request = new RedactionContext();
        assertThat(redactor.redact("card 4111 1111 1111 1111", request).text()).isEqualTo("card [CREDIT_CARD_1]");
        assertThat(redactor.redact("or 4111-1111-1111-1111, or 5555 5555 5555 4444", request).text())
                .isEqualTo("or [CREDIT_CARD_1], or [CREDIT_CARD_2]");
    }

    @Test
    void eachRequestNumbersItsPlaceholdersAfresh() {
        redactor.redact("ann@example.com", new RedactionContext());
        assertThat(redactor.redact("bob@example.org", new RedactionContext()).text()).isEqualTo("[EMAIL_1]");
    }

    @Test
    void longestOverlappingFindingWinsWhateverTheScores() {
        Detector fixed = fixed(new Finding("a", EntityType.STREET_ADDRESS, 0, 10, 0.6), new Finding("b", EntityType.PERSON, 5, 8, 0.99),
                new Finding("c", EntityType.PHONE, 8, 12, 0.9), new Finding("d", EntityType.EMAIL, 12, 14, 0.7));
        Redaction redaction = new Redactor(List.of(fixed), ActionPolicy.redactAll()).redact("0123456789abcdef", new RedactionContext());

        assertThat(redaction.text()).isEqualTo("[STREET_ADDRESS_1]ab[EMAIL_1]ef");
        assertThat(redaction.verdicts()).extracting(verdict -> verdict.finding().detector()).containsExactly("a", "d");
    }

    @Test
    void atEqualLengthTheHigherScoreWinsThenTheEarlierStart() {
        Detector fixed = fixed(new Finding("low", EntityType.PHONE, 2, 6, 0.6), new Finding("high", EntityType.US_SSN, 3, 7, 0.9),
                new Finding("later", EntityType.IBAN, 6, 10, 0.9));
        Redaction redaction = new Redactor(List.of(fixed), ActionPolicy.redactAll()).redact("0123456789", new RedactionContext());

        assertThat(redaction.text()).isEqualTo("012[US_SSN_1]789");
    }

    @Test
    void resultDoesNotDependOnTheOrderOfDetectors() {
        String text = "Dr. Jane Smith, jane.smith@example.com, +44 20 7946 0958, 221B Baker Street, card 4111 1111 1111 1111,"
                + " IBAN GB82 WEST 1234 5698 7654 32, born 12/03/1980, password: Kx9!vQ2mZt#77";
        String expected = redactor.redact(text, new RedactionContext()).text();
        Random random = new Random(1);
        for (int i = 0; i < 20; i++) {
            List<Detector> shuffled = new ArrayList<>(Detectors.all());
            Collections.shuffle(shuffled, random);
            assertThat(new Redactor(shuffled, ActionPolicy.redactAll()).redact(text, new RedactionContext()).text()).isEqualTo(expected);
        }
        assertThat(expected).doesNotContain("Jane", "jane.smith", "7946", "Baker", "4111", "WEST", "1980", "Kx9");
    }

    @Test
    void blockVerdictBlocksAndFlagLeavesTheTextAlone() {
        ActionPolicy policy = ActionPolicy.of(Map.of(EntityType.AWS_ACCESS_KEY, Action.BLOCK, EntityType.EMAIL, Action.FLAG), Action.REDACT);
        String key = new FakeSecrets(3).awsAccessKeyId();
        Redaction redaction = new Redactor(Detectors.all(), policy).redact("key " + key + " from ops@example.com", new RedactionContext());

        assertThat(redaction.blocked()).isTrue();
        assertThat(redaction.text()).contains("ops@example.com");
        assertThat(redaction.verdicts()).extracting(Verdict::action).containsExactly(Action.BLOCK, Action.FLAG);
        assertThat(new Redactor(Detectors.all(), policy).redact("just ops@example.com", new RedactionContext()).blocked()).isFalse();
    }

    @Test
    void findingsBelowTheMinimumScoreAreIgnored() {
        // Nine bare digits score 0.3 as an SSN: below the default threshold, above a lenient one.
        String text = "ref 536221234";
        assertThat(redactor.redact(text, new RedactionContext()).text()).isEqualTo(text);
        Redactor lenient = new Redactor(Detectors.all(), new ActionPolicy(Map.of(), Action.REDACT, 0.25));
        assertThat(lenient.redact(text, new RedactionContext()).text()).isEqualTo("ref [US_SSN_1]");
    }

    @Test
    void stageSelectsTheDetectorsThatApply() {
        List<Detector> detectors = List.of(Detectors.onlyAt(Detectors.named("email").getFirst(), Stage.INPUT), Detectors.named("phone").getFirst());
        assertThat(Redactor.forStage(Stage.OUTPUT, detectors, ActionPolicy.redactAll()).detectors()).extracting(Detector::id).containsExactly("phone");
        assertThat(Redactor.forStage(Stage.INPUT, detectors, ActionPolicy.redactAll()).detectors()).extracting(Detector::id).containsExactly("email", "phone");
    }

    static Detector fixed(Finding... findings) {
        return new Detector() {
            @Override
            public String id() {
                return "fixed";
            }

            @Override
            public List<Finding> scan(CharSequence text) {
                return List.of(findings);
            }
        };
    }
}
