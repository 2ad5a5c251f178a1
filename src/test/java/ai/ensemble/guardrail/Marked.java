package ai.ensemble.guardrail;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Test texts with the expected spans marked {@code ⟦…⟧}: {@code "mail ⟦ann@example.com⟧ today"}.
 * Checks that a detector finds exactly the marked spans, as the redactor keeps them (at or above
 * the default policy's score, overlaps settled).
 */
record Marked(String text, List<int[]> spans) {

    static Marked parse(String marked) {
        StringBuilder text = new StringBuilder();
        List<int[]> spans = new ArrayList<>();
        int open = -1;
        for (int i = 0; i < marked.length(); i++) {
            char c = marked.charAt(i);
            if (c == '⟦') {
                open = text.length();
            } else if (c == '⟧') {
                spans.add(new int[] {open, text.length()});
            } else {
                text.append(c);
            }
        }
        return new Marked(text.toString(), spans);
    }

    /** The spans of {@code type} that a redactor with only {@code detector} and the default policy would redact. */
    static List<String> found(String detector, EntityType type, String text) {
        List<String> found = new ArrayList<>();
        for (Verdict verdict : new Redactor(Detectors.named(detector), ActionPolicy.redactAll()).evaluate(text)) {
            if (verdict.finding().type() == type) {
                found.add(verdict.finding().value(text));
            }
        }
        return found;
    }

    static void assertFinds(String detector, EntityType type, String marked) {
        Marked parsed = parse(marked);
        List<String> expected = parsed.spans().stream().map(span -> parsed.text().substring(span[0], span[1])).toList();
        assertThat(found(detector, type, parsed.text())).as("%s in: %s", type, parsed.text()).containsExactlyInAnyOrderElementsOf(expected);
    }

    static void assertIgnores(String detector, EntityType type, String text) {
        assertThat(found(detector, type, text)).as("%s in: %s", type, text).isEmpty();
    }
}
