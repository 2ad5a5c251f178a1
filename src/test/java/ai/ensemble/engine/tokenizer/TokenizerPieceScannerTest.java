package ai.ensemble.engine.tokenizer;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@link LlamaPieceScanner} splits exactly as the regex it replaces. */
class TokenizerPieceScannerTest {

    /** Letters, numbers, spaces and symbols of every kind the pattern distinguishes, with the contraction letters. */
    private static final String[] ALPHABET = {
            "a", "Z", "é", "ß", "日", "ヶ", "𝒜", "ǅ", "ʰ", // letters (Ll, Lu, Lo, Lt, Lm; one outside the BMP)
            "0", "7", "٣", "²", "Ⅻ", "𝟘",                  // numbers (Nd, No, Nl; one outside the BMP)
            " ", " ", " ", "\t", "\n", "\r", "\u000B", "\u00A0", "\u2003", "\u3000", "\u0085", "\u2028", // whitespace
            "!", ".", "-", "_", "\"", "(", "😀", "\u200D", "\u0301", "\u200B", "€", "\uFE0F",             // others
            "'", "'", "s", "S", "ſ", "t", "r", "e", "E", "v", "m", "l", "L", "d"};

    @Test
    void splitsLikeTheLlama3Regex() {
        compare(PreTokenizer.LLAMA3_PATTERN, new LlamaPieceScanner(3));
    }

    @Test
    void splitsLikeTheQwen2Regex() {
        compare(PreTokenizer.QWEN2_PATTERN, new LlamaPieceScanner(1));
    }

    private static void compare(String pattern, PreTokenizer scanner) {
        PreTokenizer regex = PreTokenizer.isolating(PreTokenizer.compile(pattern));
        Random random = new Random(7);
        List<String> texts = new ArrayList<>(TokenizerFixtures.texts());
        for (int i = 0; i < 50_000; i++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(24);
            for (int j = 0; j < length; j++) {
                text.append(ALPHABET[random.nextInt(ALPHABET.length)]);
            }
            texts.add(text.toString());
        }
        for (String text : texts) {
            assertEquals(pieces(regex, text), pieces(scanner, text), () -> "pieces of " + visible(text));
        }
    }

    private static List<String> pieces(PreTokenizer preTokenizer, String text) {
        List<String> pieces = new ArrayList<>();
        preTokenizer.split(text, true, pieces::add);
        return pieces;
    }

    private static String visible(String text) {
        StringBuilder out = new StringBuilder();
        text.codePoints().forEach(c -> out.append(c < 0x20 || c > 0x7E ? String.format("\\u{%X}", c) : Character.toString(c)));
        return out.toString();
    }
}
