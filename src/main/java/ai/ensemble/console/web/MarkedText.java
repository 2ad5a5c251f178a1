package ai.ensemble.console.web;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Guardrail findings marked in the stored text of a request. A verdict's span refers to the text its
 * policy scanned. For the prompt that is the stored message as long as no earlier policy redacted
 * that message; for the answer, the stored output is what was sent, which equals what the policies
 * scanned only when none of them redacted or blocked. Spans that cannot be placed are listed but not
 * marked, rather than marked at the wrong characters.
 */
final class MarkedText {

    /** A piece of text; {@code finding} is the CSS class and {@code label} the tooltip of a marked span, null for plain text. */
    record Segment(String text, String finding, String label) {
    }

    private MarkedText() {
    }

    /** Marks each verdict whose span can be placed in the stored text (see the class comment). */
    static List<RequestView.Verdict> place(List<RequestView.Verdict> verdicts, List<String> messages, String output) {
        boolean outputChanged = verdicts.stream().anyMatch(v -> v.stage().equals("output") && !v.action().equals("flag"));
        List<RequestView.Verdict> placed = new ArrayList<>();
        Map<Integer, String> lastPolicy = new HashMap<>();
        Map<Integer, Boolean> redactedByLast = new HashMap<>();
        Map<Integer, Boolean> redactedEarlier = new HashMap<>();
        for (RequestView.Verdict v : verdicts) {
            boolean marked = false;
            if (v.stage().equals("input") && v.message() != null && v.message() >= 0 && v.message() < messages.size()) {
                int m = v.message();
                if (lastPolicy.containsKey(m) && !lastPolicy.get(m).equals(v.policy())) {
                    redactedEarlier.merge(m, redactedByLast.getOrDefault(m, false), Boolean::logicalOr);
                    redactedByLast.put(m, false);
                }
                lastPolicy.put(m, v.policy());
                marked = !redactedEarlier.getOrDefault(m, false) && fits(v, messages.get(m));
                if (v.action().equals("redact")) {
                    redactedByLast.put(m, true);
                }
            } else if (v.stage().equals("output")) {
                marked = !outputChanged && fits(v, output);
            }
            placed.add(new RequestView.Verdict(v.stage(), v.policy(), v.message(), v.detector(), v.type(), v.action(), v.start(), v.end(),
                    v.score(), marked));
        }
        return placed;
    }

    private static boolean fits(RequestView.Verdict v, String text) {
        return text != null && v.start() >= 0 && v.start() < v.end() && v.end() <= text.length();
    }

    /** The text cut at the marked spans; a span overlapping an earlier one is left out. */
    static List<Segment> segments(String text, List<RequestView.Verdict> marks) {
        List<RequestView.Verdict> sorted = marks.stream().sorted(Comparator.comparingInt(RequestView.Verdict::start)).toList();
        List<Segment> segments = new ArrayList<>();
        int at = 0;
        for (RequestView.Verdict mark : sorted) {
            if (mark.start() < at) {
                continue;
            }
            if (mark.start() > at) {
                segments.add(new Segment(text.substring(at, mark.start()), null, null));
            }
            segments.add(new Segment(text.substring(mark.start(), mark.end()), "finding " + mark.action(),
                    mark.type() + ": " + mark.action() + " by policy " + mark.policy() + " (" + mark.detector() + ")"));
            at = mark.end();
        }
        if (at < text.length()) {
            segments.add(new Segment(text.substring(at), null, null));
        }
        return segments;
    }
}
