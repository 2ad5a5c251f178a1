package ai.ensemble.engine.tokenizer;

import java.util.function.Consumer;

/**
 * The Llama 3 / Qwen 2 pre-tokenizer regex as a hand-written scanner (java.util.regex runs it at
 * a few MB/s, this at memory speed):
 * <pre>
 * (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,maxDigits}| ?[^\s\p{L}\p{N}]+[\r\n]*
 *     |\s*[\r\n]+|\s+(?!\S)|\s+
 * </pre>
 * Each alternative is tried in order at each position, with the backtracking the regex would do;
 * every position matches one of them, so there are no gaps. {@code \s} is Unicode White_Space,
 * {@code \p{L}}/{@code \p{N}} the general categories, as in the regex with
 * {@code UNICODE_CHARACTER_CLASS}. A test compares it with the regex on random text.
 */
final class LlamaPieceScanner implements PreTokenizer {

    private static final byte LETTER = 0;
    private static final byte NUMBER = 1;
    private static final byte SPACE = 2;
    private static final byte OTHER = 3;
    private static final byte[] ASCII = new byte[128];

    static {
        for (int c = 0; c < 128; c++) {
            ASCII[c] = classify(c);
        }
    }

    private final int maxDigits;

    LlamaPieceScanner(int maxDigits) {
        this.maxDigits = maxDigits;
    }

    @Override
    public void split(String text, boolean startOfInput, Consumer<String> pieces) {
        int position = 0;
        while (position < text.length()) {
            int end = matchAt(text, position);
            pieces.accept(text.substring(position, end));
            position = end;
        }
    }

    /** The end of the match that starts at {@code i}. */
    int matchAt(String s, int i) {
        int n = s.length();
        int c = s.codePointAt(i);
        int next = i + Character.charCount(c);
        if (c == '\'' && next < n) {
            int contraction = contractionLength(s, next);
            if (contraction > 0) {
                return next + contraction;
            }
        }
        byte kind = kind(c);
        if (kind == LETTER) {
            return skipLetters(s, next);
        }
        if (kind != NUMBER && c != '\r' && c != '\n' && next < n && kind(s.codePointAt(next)) == LETTER) {
            return skipLetters(s, next);
        }
        if (kind == NUMBER) {
            int end = next;
            for (int digits = 1; digits < maxDigits && end < n; digits++) {
                int d = s.codePointAt(end);
                if (kind(d) != NUMBER) {
                    break;
                }
                end += Character.charCount(d);
            }
            return end;
        }
        int symbolsStart = kind == OTHER ? i : c == ' ' && next < n && kind(s.codePointAt(next)) == OTHER ? next : -1;
        if (symbolsStart >= 0) {
            int end = symbolsStart;
            while (end < n) {
                int d = s.codePointAt(end);
                if (kind(d) != OTHER) {
                    break;
                }
                end += Character.charCount(d);
            }
            while (end < n && (s.charAt(end) == '\r' || s.charAt(end) == '\n')) {
                end++;
            }
            return end;
        }
        // Whitespace (all White_Space characters are in the BMP).
        int end = i;
        int lastNewline = -1;
        while (end < n && kind(s.charAt(end)) == SPACE) {
            char w = s.charAt(end);
            if (w == '\r' || w == '\n') {
                lastNewline = end;
            }
            end++;
        }
        if (lastNewline >= 0) {
            return lastNewline + 1;                    // \s*[\r\n]+
        }
        if (end == n || end - 1 == i) {
            return end;                                // \s+(?!\S) at the end of text, or \s+
        }
        return end - 1;                                // \s+(?!\S): leave one space to lead the next word
    }

    private int skipLetters(String s, int from) {
        int end = from;
        while (end < s.length()) {
            int d = s.codePointAt(end);
            if (kind(d) != LETTER) {
                break;
            }
            end += Character.charCount(d);
        }
        return end;
    }

    /** After an apostrophe: s, t, re, ve, m, ll or d in any case (as {@code (?i:...)} folds them), else 0. */
    private static int contractionLength(String s, int at) {
        char first = fold(s.charAt(at));
        char second = at + 1 < s.length() ? fold(s.charAt(at + 1)) : 0;
        return switch (first) {
            case 's', 't', 'm', 'd' -> 1;
            case 'r', 'v' -> second == 'e' ? 2 : 0;
            case 'l' -> second == 'l' ? 2 : 0;
            default -> 0;
        };
    }

    /** Case folding as the regex's case-insensitive match sees it (ſ is an s). */
    private static char fold(char c) {
        return Character.toLowerCase(Character.toUpperCase(c));
    }

    private static byte kind(int c) {
        return c < 128 ? ASCII[c] : classify(c);
    }

    private static byte classify(int c) {
        int type = Character.getType(c);
        return switch (type) {
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                 Character.MODIFIER_LETTER, Character.OTHER_LETTER -> LETTER;
            case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER -> NUMBER;
            case Character.SPACE_SEPARATOR, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> SPACE;
            default -> (c >= 0x09 && c <= 0x0D) || c == 0x85 ? SPACE : OTHER;
        };
    }
}
