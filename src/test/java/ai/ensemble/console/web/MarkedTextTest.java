package ai.ensemble.console.web;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Which guardrail spans the request page can mark in the stored text, and which it must leave unmarked. */
class MarkedTextTest {

    private static RequestView.Verdict verdict(String stage, String policy, Integer message, String action, int start, int end) {
        return new RequestView.Verdict(stage, policy, message, "email", "EMAIL", action, start, end, 0.9, false);
    }

    @Test
    void marksSpansOfTheFirstPolicyAndOfLaterOnesWhileTheMessageIsUnchanged() {
        String prompt = "mail ann@example.com or bob@example.org";
        List<RequestView.Verdict> placed = MarkedText.place(List.of(
                verdict("input", "a", 0, "flag", 5, 20),
                verdict("input", "b", 0, "redact", 24, 39)), List.of(prompt), null);
        assertThat(placed).extracting(RequestView.Verdict::marked).containsExactly(true, true);
        List<MarkedText.Segment> segments = MarkedText.segments(prompt, placed);
        assertThat(segments).extracting(MarkedText.Segment::text)
                .containsExactly("mail ", "ann@example.com", " or ", "bob@example.org");
        assertThat(segments.get(1).finding()).isEqualTo("finding flag");
        assertThat(segments.get(3).finding()).isEqualTo("finding redact");
        assertThat(segments.get(0).finding()).isNull();
    }

    @Test
    void leavesUnmarkedWhatAPolicyFoundInTextAnEarlierPolicyRedacted() {
        // Policy a replaced the address with a placeholder; b's offsets are into "mail [EMAIL_1] now 555-0100".
        String prompt = "mail ann@example.com now 555-0100";
        List<RequestView.Verdict> placed = MarkedText.place(List.of(
                verdict("input", "a", 0, "redact", 5, 20),
                verdict("input", "b", 0, "flag", 19, 27),
                verdict("input", "b", 1, "flag", 0, 3)), List.of(prompt, "abc"), null);
        assertThat(placed).extracting(RequestView.Verdict::marked).containsExactly(true, false, true);
    }

    @Test
    void marksTheAnswerOnlyWhenNoOutputPolicyChangedItAndNeverOutsideTheText() {
        String output = "call ann@example.com";
        assertThat(MarkedText.place(List.of(verdict("output", "a", null, "flag", 5, 20)), List.of(), output))
                .extracting(RequestView.Verdict::marked).containsExactly(true);
        assertThat(MarkedText.place(List.of(verdict("output", "a", null, "flag", 5, 20),
                verdict("output", "a", null, "redact", 0, 4)), List.of(), output))
                .extracting(RequestView.Verdict::marked).containsExactly(false, false);
        assertThat(MarkedText.place(List.of(verdict("output", "a", null, "flag", 5, 99),
                verdict("input", "a", 3, "flag", 0, 1)), List.of("x"), output))
                .extracting(RequestView.Verdict::marked).containsExactly(false, false);
    }
}
