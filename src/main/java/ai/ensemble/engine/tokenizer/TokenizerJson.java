package ai.ensemble.engine.tokenizer;

import ai.ensemble.engine.json.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

/** Builds a {@link PipelineTokenizer} from Hugging Face's tokenizer.json and (optionally) tokenizer_config.json. */
final class TokenizerJson {

    /** Markers that end an assistant turn in the chat formats we serve; generation stops on them too. */
    static final List<String> END_OF_TURN_TOKENS = List.of("<|eot_id|>", "<|eom_id|>", "<|im_end|>", "<|end_of_text|>",
            "<|endoftext|>", "</s>");

    private TokenizerJson() {
    }

    static Tokenizer load(Path tokenizerJson, Path tokenizerConfigJson) {
        Map<String, Object> root = Json.parseObject(read(tokenizerJson));
        Map<String, Object> config = tokenizerConfigJson == null ? Map.of() : Json.parseObject(read(tokenizerConfigJson));

        Map<String, Object> preTokenizerJson = optionalObject(root, "pre_tokenizer");
        BpeModel model = model(object(root, "model", "tokenizer.json"), PreTokenizer.containsByteLevel(preTokenizerJson));
        List<AddedToken> added = addedTokens(root);
        Normalizer normalizer = Normalizer.fromJson(optionalObject(root, "normalizer"));
        PreTokenizer preTokenizer = PreTokenizer.fromJson(preTokenizerJson);
        Decoder decoder = Decoder.fromJson(optionalObject(root, "decoder"));
        int[][] template = PostProcessor.fromJson(optionalObject(root, "post_processor"));

        OptionalInt bos = specialTokenId(config.get("bos_token"), model.vocabulary(), added);
        if (bos.isEmpty() && template[0].length > 0) {
            bos = OptionalInt.of(template[0][0]);
        }
        Set<Integer> eos = new LinkedHashSet<>();
        specialTokenId(config.get("eos_token"), model.vocabulary(), added).ifPresent(eos::add);
        for (String marker : END_OF_TURN_TOKENS) {
            idOf(marker, model.vocabulary(), added).ifPresent(eos::add);
        }
        return new PipelineTokenizer(model, added, normalizer, preTokenizer, decoder, template[0], template[1], bos, eos,
                chatTemplate(config));
    }

    private static BpeModel model(Map<String, Object> json, boolean byteLevel) {
        String type = string(json, "type", "model");
        if (!"BPE".equals(type)) {
            throw new IllegalArgumentException("tokenizer.json: model type '" + type + "' is not supported (only BPE)");
        }
        for (String field : List.of("continuing_subword_prefix", "end_of_word_suffix")) {
            if (json.get(field) instanceof String value && !value.isEmpty()) {
                throw new IllegalArgumentException("tokenizer.json: model." + field + " is not supported");
            }
        }
        Map<String, Object> vocabJson = object(json, "vocab", "model");
        Map<String, Integer> ids = new java.util.HashMap<>(vocabJson.size() * 2);
        vocabJson.forEach((token, id) -> ids.put(token, ((Number) id).intValue()));
        Vocabulary vocabulary = Vocabulary.of(ids);

        List<?> mergesJson = json.get("merges") instanceof List<?> list ? list : List.of();
        IntPairMap merges = new IntPairMap(mergesJson.size());
        for (int rank = 0; rank < mergesJson.size(); rank++) {
            String[] pair = mergePair(mergesJson.get(rank), rank);
            int left = vocabulary.id(pair[0]);
            int right = vocabulary.id(pair[1]);
            int merged = vocabulary.id(pair[0] + pair[1]);
            if (left < 0 || right < 0 || merged < 0) {
                throw new IllegalArgumentException("tokenizer.json: model.merges[" + rank + "] ('" + pair[0] + "', '"
                        + pair[1] + "') uses a token that is not in model.vocab");
            }
            merges.put(left, right, rank, merged);
        }
        int unknown = json.get("unk_token") instanceof String unk ? vocabulary.id(unk) : -1;
        return new BpeModel(vocabulary, merges, byteLevel, Boolean.TRUE.equals(json.get("ignore_merges")),
                Boolean.TRUE.equals(json.get("byte_fallback")), unknown, Boolean.TRUE.equals(json.get("fuse_unk")));
    }

    /** Merges are written {@code "a b"} (older files) or {@code ["a", "b"]}. */
    private static String[] mergePair(Object merge, int rank) {
        if (merge instanceof String line) {
            String[] parts = line.split(" ", -1);
            if (parts.length == 2) {
                return parts;
            }
        } else if (merge instanceof List<?> pair && pair.size() == 2 && pair.get(0) instanceof String a
                && pair.get(1) instanceof String b) {
            return new String[] {a, b};
        }
        throw new IllegalArgumentException("tokenizer.json: model.merges[" + rank + "] must be \"a b\" or [\"a\", \"b\"]");
    }

    private static List<AddedToken> addedTokens(Map<String, Object> root) {
        List<AddedToken> tokens = new ArrayList<>();
        if (root.get("added_tokens") instanceof List<?> list) {
            for (Object item : list) {
                Map<String, Object> token = cast(item);
                tokens.add(new AddedToken(integer(token, "id", "added_tokens[]"), string(token, "content", "added_tokens[]"),
                        flag(token, "special"), flag(token, "normalized"), flag(token, "lstrip"), flag(token, "rstrip"),
                        flag(token, "single_word")));
            }
        }
        return tokens;
    }

    /** tokenizer_config.json names special tokens as a string or as an AddedToken object with {@code content}. */
    private static OptionalInt specialTokenId(Object declared, Vocabulary vocabulary, List<AddedToken> added) {
        if (declared instanceof Map<?, ?> map && map.get("content") instanceof String content) {
            return idOf(content, vocabulary, added);
        }
        return declared instanceof String content ? idOf(content, vocabulary, added) : OptionalInt.empty();
    }

    private static OptionalInt idOf(String content, Vocabulary vocabulary, List<AddedToken> added) {
        for (AddedToken token : added) {
            if (token.content().equals(content)) {
                return OptionalInt.of(token.id());
            }
        }
        int id = vocabulary.id(content);
        return id >= 0 ? OptionalInt.of(id) : OptionalInt.empty();
    }

    /** A single template, or the one named "default" of a list of named templates. */
    private static String chatTemplate(Map<String, Object> config) {
        Object template = config.get("chat_template");
        if (template instanceof String text) {
            return text;
        }
        if (template instanceof List<?> named) {
            for (Object item : named) {
                if (item instanceof Map<?, ?> map && "default".equals(map.get("name")) && map.get("template") instanceof String text) {
                    return text;
                }
            }
        }
        return null;
    }

    private static String read(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read tokenizer file " + path, e);
        }
    }

    // Small accessors for the untyped maps the JSON reader returns; each names the field it wanted.

    @SuppressWarnings("unchecked")
    static Map<String, Object> cast(Object value) {
        if (!(value instanceof Map<?, ?>)) {
            throw new IllegalArgumentException("tokenizer.json: expected an object, found " + value);
        }
        return (Map<String, Object>) value;
    }

    static Map<String, Object> object(Map<String, Object> json, String field, String where) {
        if (!(json.get(field) instanceof Map<?, ?>)) {
            throw new IllegalArgumentException("tokenizer.json: " + where + "." + field + " must be an object");
        }
        return cast(json.get(field));
    }

    static Map<String, Object> optionalObject(Map<String, Object> json, String field) {
        return json.get(field) == null ? null : object(json, field, "tokenizer");
    }

    static List<Map<String, Object>> objects(Map<String, Object> json, String field, String where) {
        if (!(json.get(field) instanceof List<?> list)) {
            throw new IllegalArgumentException("tokenizer.json: " + where + "." + field + " must be a list");
        }
        return list.stream().map(TokenizerJson::cast).toList();
    }

    static String string(Map<String, Object> json, String field, String where) {
        if (!(json.get(field) instanceof String value)) {
            throw new IllegalArgumentException("tokenizer.json: " + where + "." + field + " must be a string");
        }
        return value;
    }

    static int integer(Map<String, Object> json, String field, String where) {
        if (!(json.get(field) instanceof Number value)) {
            throw new IllegalArgumentException("tokenizer.json: " + where + "." + field + " must be a number");
        }
        return value.intValue();
    }

    private static boolean flag(Map<String, Object> json, String field) {
        return Boolean.TRUE.equals(json.get(field));
    }
}
