package ai.ensemble.guardrail.internal;

import java.util.List;
import java.util.Locale;

/**
 * Words or phrases whose presence near a span makes a finding likelier ("born" before a date,
 * "SSN" before nine digits). Matching ignores case and needs a non-letter on both sides of the
 * phrase, so "dob" does not match inside "adobe".
 */
final class ContextWords {

    private final List<String> phrases;

    public ContextWords(String... phrases) {
        this.phrases = java.util.Arrays.stream(phrases).map(phrase -> phrase.toLowerCase(Locale.ROOT)).toList();
    }

    /** Whether a phrase lies within {@code before} characters before {@code start} or {@code after} characters after {@code end}. */
    public boolean near(CharSequence text, int start, int end, int before, int after) {
        return within(text, Math.max(0, start - before), start) || within(text, end, Math.min(text.length(), end + after));
    }

    /** Where phrases occur in {@code text}, as {@code [start, end)} pairs in no particular order. */
    List<int[]> occurrences(CharSequence text) {
        char[] lower = new char[text.length()];
        for (int i = 0; i < lower.length; i++) {
            lower[i] = Character.toLowerCase(text.charAt(i)); // char by char, so that offsets stay those of text
        }
        String region = new String(lower);
        List<int[]> found = new java.util.ArrayList<>();
        for (String phrase : phrases) {
            for (int at = region.indexOf(phrase); at >= 0; at = region.indexOf(phrase, at + 1)) {
                int after = at + phrase.length();
                if ((at == 0 || !Character.isLetter(region.charAt(at - 1))) && (after == region.length() || !Character.isLetter(region.charAt(after)))) {
                    found.add(new int[] {at, after});
                }
            }
        }
        return found;
    }

    /** Whether a phrase lies entirely inside {@code text[from, to)}. */
    public boolean within(CharSequence text, int from, int to) {
        if (to <= from) {
            return false;
        }
        String region = text.subSequence(from, to).toString().toLowerCase(Locale.ROOT);
        for (String phrase : phrases) {
            for (int at = region.indexOf(phrase); at >= 0; at = region.indexOf(phrase, at + 1)) {
                int after = at + phrase.length();
                boolean leftEdge = at == 0 ? !Character.isLetter(charBefore(text, from)) : !Character.isLetter(region.charAt(at - 1));
                boolean rightEdge = after == region.length() ? !Character.isLetter(charAt(text, to)) : !Character.isLetter(region.charAt(after));
                if (leftEdge && rightEdge) {
                    return true;
                }
            }
        }
        return false;
    }

    private static char charBefore(CharSequence text, int index) {
        return index == 0 ? ' ' : text.charAt(index - 1);
    }

    private static char charAt(CharSequence text, int index) {
        return index >= text.length() ? ' ' : text.charAt(index);
    }
}
