package ai.ensemble.engine.tokenizer;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The two merge loops (rescanning for short pieces, a heap for long ones) merge identically, also
 * with the equal ranks that SentencePiece scores give.
 */
class TokenizerMergeLoopTest {

    @Test
    void heapAndRescanLoopsAgreeOnRealMergeTables() {
        Random random = new Random(11);
        String alphabet = "aaabcdeeefghiiijklmnooopqrssstttuvwxyz     \n\t.,'0123456789äößéèñçøåЖжфы日本語中文한국😀";
        for (String name : java.util.List.of("llama3", "qwen3", "llama2", "llama2 from GGUF scores")) {
            Tokenizer tokenizer = name.endsWith("GGUF scores") ? Tokenizers.fromGguf(GgufTokenizerTest.metadata("llama2"))
                    : TokenizerFixtures.tokenizer(name);
            BpeModel model = ((PipelineTokenizer) tokenizer).model();
            for (int trial = 0; trial < 2_000; trial++) {
                int[] codePoints = alphabet.codePoints().toArray();
                StringBuilder piece = new StringBuilder();
                int length = 2 + random.nextInt(trial % 10 == 0 ? 400 : 60);
                for (int i = 0; i < length; i++) {
                    piece.appendCodePoint(codePoints[random.nextInt(codePoints.length)]);
                }
                String text = name.startsWith("llama2") ? piece.toString().replace(' ', '\u2581') : piece.toString();
                int[] rescanned = model.initialSymbols(text);
                int[] heaped = rescanned.clone();
                int rescannedCount = model.mergeShort(rescanned);
                int heapedCount = model.mergeLong(heaped);
                assertEquals(Arrays.toString(Arrays.copyOf(rescanned, rescannedCount)),
                        Arrays.toString(Arrays.copyOf(heaped, heapedCount)), () -> name + ": " + text);
            }
        }
    }
}
