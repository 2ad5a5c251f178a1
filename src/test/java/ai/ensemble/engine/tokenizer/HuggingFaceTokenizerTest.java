package ai.ensemble.engine.tokenizer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** tokenizer.json tokenizers give exactly the ids and text Hugging Face {@code tokenizers} gives. */
class HuggingFaceTokenizerTest {

    static Stream<Arguments> cases() {
        int count = TokenizerFixtures.texts().size();
        return TokenizerFixtures.NAMES.stream().flatMap(name -> IntStream.range(0, count)
                .mapToObj(i -> Arguments.of(name, i, abbreviate(TokenizerFixtures.texts().get(i)))));
    }

    @ParameterizedTest(name = "{0} #{1} {2}")
    @MethodSource("cases")
    void encodesLikeHuggingFace(String name, int text, String shown) {
        int[] ids = TokenizerFixtures.tokenizer(name).encode(TokenizerFixtures.texts().get(text));
        assertEquals(Arrays.toString(TokenizerFixtures.expectedIds(name, "plain", text)), Arrays.toString(ids));
    }

    @ParameterizedTest(name = "{0} #{1} {2}")
    @MethodSource("cases")
    void addsSpecialTokensLikeHuggingFace(String name, int text, String shown) {
        int[] ids = TokenizerFixtures.tokenizer(name).encodeWithSpecial(TokenizerFixtures.texts().get(text));
        assertEquals(Arrays.toString(TokenizerFixtures.expectedIds(name, "with_special", text)), Arrays.toString(ids));
    }

    @ParameterizedTest(name = "{0} #{1} {2}")
    @MethodSource("cases")
    void decodesLikeHuggingFace(String name, int text, String shown) {
        String decoded = TokenizerFixtures.tokenizer(name).decode(TokenizerFixtures.expectedIds(name, "plain", text));
        assertEquals(TokenizerFixtures.expected(name, "decoded", text), decoded);
    }

    @Test
    void recognisesAddedTokensThatAreNotSpecial() {
        Tokenizer qwen3 = TokenizerFixtures.tokenizer("qwen3");
        int think = qwen3.tokenId("<think>").orElseThrow(); // added with special=false
        int[] ids = qwen3.encode("<think>\nok\n</think>");
        assertEquals(think, ids[0]);
        assertEquals(qwen3.tokenId("</think>").orElseThrow(), ids[ids.length - 1]);
        assertEquals("<think>\nok\n</think>", qwen3.decode(ids));
    }

    static String abbreviate(String text) {
        String oneLine = text.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t");
        return oneLine.length() > 40 ? oneLine.substring(0, 40) + "…" : oneLine;
    }
}
