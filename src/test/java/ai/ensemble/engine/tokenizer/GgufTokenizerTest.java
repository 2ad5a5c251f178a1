package ai.ensemble.engine.tokenizer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GGUF-metadata tokenizers give Hugging Face's ids. The metadata is written from the same
 * tokenizer.json the way llama.cpp's converter writes it: one token list with types (added
 * special tokens CONTROL, other added tokens USER_DEFINED, {@code <0xNN>} BYTE), byte-level
 * merges as {@code "a b"}, and for SentencePiece models scores instead of merges (better merges
 * score higher; SentencePiece's own scores follow the same order).
 */
class GgufTokenizerTest {

    private static final Map<String, Tokenizer> LOADED = new ConcurrentHashMap<>();

    static Stream<Arguments> cases() {
        int count = TokenizerFixtures.texts().size();
        return TokenizerFixtures.NAMES.stream().flatMap(name -> IntStream.range(0, count)
                .mapToObj(i -> Arguments.of(name, i, HuggingFaceTokenizerTest.abbreviate(TokenizerFixtures.texts().get(i)))));
    }

    @ParameterizedTest(name = "{0} #{1} {2}")
    @MethodSource("cases")
    void ggufMetadataEncodesLikeHuggingFace(String name, int text, String shown) {
        Tokenizer tokenizer = gguf(name);
        String input = TokenizerFixtures.texts().get(text);
        assertEquals(Arrays.toString(TokenizerFixtures.expectedIds(name, "plain", text)), Arrays.toString(tokenizer.encode(input)));
        assertEquals(Arrays.toString(TokenizerFixtures.expectedIds(name, "with_special", text)),
                Arrays.toString(tokenizer.encodeWithSpecial(input)));
        assertEquals(TokenizerFixtures.expected(name, "decoded", text),
                tokenizer.decode(TokenizerFixtures.expectedIds(name, "plain", text)));
    }

    @Test
    void addsBosWhenTheMetadataAsksForIt() {
        Map<String, Object> metadata = metadata("llama3");
        metadata.put("tokenizer.ggml.add_bos_token", true);
        Tokenizer tokenizer = Tokenizers.fromGguf(metadata);
        assertArrayEquals(new int[] {128000, 9906, 11, 1917, 0}, tokenizer.encodeWithSpecial("Hello, world!"));
        assertEquals(128000, tokenizer.bosTokenId().orElseThrow());
        assertTrue(tokenizer.eosTokenIds().containsAll(List.of(128001, 128009)), tokenizer.eosTokenIds()::toString);
    }

    @Test
    void rejectsAnUnknownPreTokenizerByName() {
        Map<String, Object> metadata = metadata("llama3");
        metadata.put("tokenizer.ggml.pre", "tekken");
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> Tokenizers.fromGguf(metadata));
        assertTrue(error.getMessage().contains("tokenizer.ggml.pre 'tekken'"), error.getMessage());
    }

    private static Tokenizer gguf(String name) {
        return LOADED.computeIfAbsent(name, n -> Tokenizers.fromGguf(metadata(n)));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> metadata(String name) {
        Path directory = TokenizerFixtures.directory(name);
        Map<String, Object> json = TokenizerFixtures.readJson(directory.resolve("tokenizer.json"));
        Map<String, Object> model = (Map<String, Object>) json.get("model");
        Map<String, Object> vocab = (Map<String, Object>) model.get("vocab");
        List<Map<String, Object>> added = (List<Map<String, Object>>) json.get("added_tokens");

        int size = vocab.size();
        for (Map<String, Object> token : added) {
            size = Math.max(size, ((Number) token.get("id")).intValue() + 1);
        }
        String[] tokens = new String[size];
        Integer[] types = new Integer[size];
        vocab.forEach((token, id) -> {
            tokens[((Number) id).intValue()] = token;
            types[((Number) id).intValue()] = Decoder.byteTokenValue(token) >= 0 && "llama2".equals(name) ? 6 : 1;
        });
        for (Map<String, Object> token : added) {
            int id = ((Number) token.get("id")).intValue();
            tokens[id] = (String) token.get("content");
            types[id] = "<unk>".equals(token.get("content")) ? 2 : Boolean.TRUE.equals(token.get("special")) ? 3 : 4;
        }
        List<String> merges = new ArrayList<>();
        for (Object merge : (List<Object>) model.get("merges")) {
            merges.add(merge instanceof String line ? line : String.join(" ", (List<String>) merge));
        }

        Map<String, Object> metadata = new HashMap<>();
        metadata.put("tokenizer.ggml.tokens", Arrays.asList(tokens));
        metadata.put("tokenizer.ggml.token_type", Arrays.asList(types));
        switch (name) {
            case "llama3" -> {
                metadata.put("tokenizer.ggml.model", "gpt2");
                metadata.put("tokenizer.ggml.pre", "llama-bpe");
                metadata.put("tokenizer.ggml.merges", merges);
                metadata.put("tokenizer.ggml.bos_token_id", 128000L);
                metadata.put("tokenizer.ggml.eos_token_id", 128001L);
                metadata.put("tokenizer.ggml.add_bos_token", false); // this tokenizer.json's post-processor adds none
            }
            case "qwen3" -> {
                metadata.put("tokenizer.ggml.model", "gpt2");
                metadata.put("tokenizer.ggml.pre", "qwen2");
                metadata.put("tokenizer.ggml.merges", merges);
                metadata.put("tokenizer.ggml.bos_token_id", 151643L);
                metadata.put("tokenizer.ggml.eos_token_id", 151645L);
                metadata.put("tokenizer.ggml.add_bos_token", false);
            }
            case "llama2" -> {
                metadata.put("tokenizer.ggml.model", "llama");
                metadata.put("tokenizer.ggml.scores", scoresFromMergeOrder(tokens, merges));
                metadata.put("tokenizer.ggml.bos_token_id", 1L);
                metadata.put("tokenizer.ggml.eos_token_id", 2L);
                metadata.put("tokenizer.ggml.unknown_token_id", 0L);
                metadata.put("tokenizer.ggml.add_bos_token", true);
            }
            default -> throw new IllegalArgumentException(name);
        }
        return metadata;
    }

    /** A token's score: minus the rank of the first merge that makes it (0 for tokens no merge makes). */
    private static List<Float> scoresFromMergeOrder(String[] tokens, List<String> merges) {
        Map<String, Integer> firstRank = new HashMap<>();
        for (int rank = 0; rank < merges.size(); rank++) {
            firstRank.putIfAbsent(merges.get(rank).replace(" ", ""), rank);
        }
        List<Float> scores = new ArrayList<>(tokens.length);
        for (String token : tokens) {
            scores.add(-(float) firstRank.getOrDefault(token, -1) - 1);
        }
        return scores;
    }
}
