package ai.ensemble.engine.tokenizer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Splits text around added tokens, leftmost match first and the longest of those (Hugging
 * Face's Aho-Corasick with {@code LeftmostLongest}). Only positions whose character starts some
 * token are tried, so plain text costs one array lookup per character.
 */
final class TokenMatcher {

    interface Sink {
        /** A stretch of text between tokens; {@code offset} is where it starts in the split text. */
        void text(String text, int offset);

        void token(AddedToken token);
    }

    private record Candidate(String content, AddedToken token) {
    }

    private final boolean[] startsSomeToken = new boolean[65536];
    private final Map<Character, Candidate[]> candidatesByFirstChar = new HashMap<>();

    /** {@code contents} are the strings to look for (possibly normalized forms of the tokens' content). */
    TokenMatcher(List<AddedToken> tokens, List<String> contents) {
        Map<Character, List<Candidate>> grouped = new HashMap<>();
        for (int i = 0; i < tokens.size(); i++) {
            String content = contents.get(i);
            if (!content.isEmpty()) {
                grouped.computeIfAbsent(content.charAt(0), c -> new ArrayList<>()).add(new Candidate(content, tokens.get(i)));
            }
        }
        grouped.forEach((first, list) -> {
            list.sort(Comparator.comparingInt((Candidate c) -> c.content().length()).reversed());
            candidatesByFirstChar.put(first, list.toArray(Candidate[]::new));
            startsSomeToken[first] = true;
        });
    }

    void split(String text, Sink sink) {
        int gapStart = 0;
        int i = 0;
        int length = text.length();
        while (i < length) {
            char c = text.charAt(i);
            Candidate match = startsSomeToken[c] ? longestAt(text, i) : null;
            if (match == null) {
                i++;
                continue;
            }
            int start = i;
            int end = i + match.content().length();
            if (match.token().leftStrip()) {
                while (start > gapStart && Character.isWhitespace(text.charAt(start - 1))) {
                    start--;
                }
            }
            if (match.token().rightStrip()) {
                while (end < length && Character.isWhitespace(text.charAt(end))) {
                    end++;
                }
            }
            if (start > gapStart) {
                sink.text(text.substring(gapStart, start), gapStart);
            }
            sink.token(match.token());
            i = gapStart = end;
        }
        if (gapStart < length) {
            sink.text(gapStart == 0 ? text : text.substring(gapStart), gapStart);
        }
    }

    private Candidate longestAt(String text, int position) {
        for (Candidate candidate : candidatesByFirstChar.get(text.charAt(position))) {
            if (text.startsWith(candidate.content(), position)
                    && (!candidate.token().singleWord() || isSingleWord(text, position, position + candidate.content().length()))) {
                return candidate;
            }
        }
        return null;
    }

    private static boolean isSingleWord(String text, int start, int end) {
        boolean wordBefore = start > 0 && isWordCharacter(text.codePointBefore(start));
        boolean wordAfter = end < text.length() && isWordCharacter(text.codePointAt(end));
        return !wordBefore && !wordAfter;
    }

    private static boolean isWordCharacter(int codePoint) {
        return Character.isLetterOrDigit(codePoint) || codePoint == '_';
    }
}
