package ai.ensemble.engine.tokenizer;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;

/**
 * Builds a {@link PipelineTokenizer} from GGUF {@code tokenizer.ggml.*} metadata, matching what the
 * same model's tokenizer.json does in Hugging Face: {@code gpt2} is byte-level BPE with the
 * pre-tokenizer regex that {@code tokenizer.ggml.pre} names; {@code llama} is SentencePiece BPE,
 * whose merges are every split of a vocabulary token into two tokens, best score first.
 */
final class GgufTokenizer {

    private static final String KEY = "tokenizer.ggml.";
    // llama.cpp's token types
    private static final int UNKNOWN = 2;
    private static final int CONTROL = 3;
    private static final int USER_DEFINED = 4;
    private static final int BYTE = 6;

    private GgufTokenizer() {
    }

    static Tokenizer load(Map<String, Object> metadata) {
        String kind = string(metadata, KEY + "model");
        List<String> tokens = strings(metadata, KEY + "tokens");
        int[] types = types(metadata, tokens);
        Vocabulary vocabulary = new Vocabulary(tokens.toArray(String[]::new));
        List<AddedToken> added = new ArrayList<>();
        for (int id = 0; id < tokens.size(); id++) {
            if (types[id] == CONTROL || types[id] == USER_DEFINED || types[id] == UNKNOWN) {
                added.add(new AddedToken(id, tokens.get(id), types[id] != USER_DEFINED, false, false, false, false));
            }
        }
        OptionalInt bos = optionalId(metadata, KEY + "bos_token_id");
        OptionalInt eos = optionalId(metadata, KEY + "eos_token_id");
        String chatTemplate = metadata.get("tokenizer.chat_template") instanceof String t ? t : null;

        return switch (kind) {
            case "gpt2" -> {
                String pre = metadata.get(KEY + "pre") instanceof String p ? p : "(missing)";
                String pattern = switch (pre) {
                    case "llama-bpe", "llama3", "llama-v3" -> PreTokenizer.LLAMA3_PATTERN;
                    case "qwen2", "deepseek-r1-qwen" -> PreTokenizer.QWEN2_PATTERN;
                    case "gpt-2" -> PreTokenizer.GPT2_PATTERN;
                    default -> throw new IllegalArgumentException(KEY + "pre '" + pre
                            + "' is not supported (known: llama-bpe, qwen2, gpt-2)");
                };
                boolean llama3 = pattern.equals(PreTokenizer.LLAMA3_PATTERN);
                BpeModel model = new BpeModel(vocabulary, mergesFromList(metadata, vocabulary), true, llama3, false, -1, false);
                boolean addBos = flag(metadata, KEY + "add_bos_token", llama3);
                // Qwen's tokenizer.json normalizes to NFC; the GGUF drops the normalizer, we keep it to match.
                Normalizer normalizer = pattern.equals(PreTokenizer.QWEN2_PATTERN)
                        ? Normalizer.unicode(java.text.Normalizer.Form.NFC) : Normalizer.NONE;
                PreTokenizer scanner = PreTokenizer.regexScanner(pattern);
                yield assemble(model, added, normalizer, scanner != null ? scanner : PreTokenizer.isolating(PreTokenizer.compile(pattern)),
                        Decoder.BYTE_LEVEL, addBos, bos, eos, metadata, chatTemplate);
            }
            case "llama" -> {
                boolean spacePrefix = flag(metadata, KEY + "add_space_prefix", true);
                BpeModel model = new BpeModel(vocabulary, mergesFromScores(metadata, vocabulary, types), false, false, true,
                        optionalId(metadata, KEY + "unknown_token_id").orElse(vocabulary.id("<unk>")), true);
                Normalizer replace = Normalizer.replace(" ", "\u2581");
                Normalizer normalizer = spacePrefix ? Normalizer.sequence(List.of(Normalizer.prepend("\u2581"), replace)) : replace;
                Decoder decoder = Decoder.sequence(List.of(Decoder.replace("\u2581", " "), Decoder.BYTE_FALLBACK, Decoder.FUSE,
                        Decoder.strip(' ', spacePrefix ? 1 : 0, 0)));
                yield assemble(model, added, normalizer, PreTokenizer.NONE, decoder, flag(metadata, KEY + "add_bos_token", true),
                        bos, eos, metadata, chatTemplate);
            }
            default -> throw new IllegalArgumentException(KEY + "model '" + kind + "' is not supported (known: gpt2, llama)");
        };
    }

    private static Tokenizer assemble(BpeModel model, List<AddedToken> added, Normalizer normalizer, PreTokenizer preTokenizer,
                                      Decoder decoder, boolean addBos, OptionalInt bos, OptionalInt eos,
                                      Map<String, Object> metadata, String chatTemplate) {
        if (addBos && bos.isEmpty()) {
            throw new IllegalArgumentException(KEY + "add_bos_token is true but " + KEY + "bos_token_id is missing");
        }
        boolean addEos = flag(metadata, KEY + "add_eos_token", false) && eos.isPresent();
        int[] prefix = addBos ? new int[] {bos.getAsInt()} : new int[0];
        int[] suffix = addEos ? new int[] {eos.getAsInt()} : new int[0];
        Set<Integer> stops = new LinkedHashSet<>();
        eos.ifPresent(stops::add);
        optionalId(metadata, KEY + "eot_token_id").ifPresent(stops::add);
        optionalId(metadata, KEY + "eom_token_id").ifPresent(stops::add);
        for (String marker : TokenizerJson.END_OF_TURN_TOKENS) {
            int id = model.vocabulary().id(marker);
            if (id >= 0 && added.stream().anyMatch(token -> token.id() == id)) {
                stops.add(id);
            }
        }
        return new PipelineTokenizer(model, added, normalizer, preTokenizer, decoder, prefix, suffix, bos, stops, chatTemplate);
    }

    private static IntPairMap mergesFromList(Map<String, Object> metadata, Vocabulary vocabulary) {
        List<String> lines = strings(metadata, KEY + "merges");
        IntPairMap merges = new IntPairMap(lines.size());
        for (int rank = 0; rank < lines.size(); rank++) {
            String line = lines.get(rank);
            int space = line.indexOf(' ', 1);
            int left = space < 0 ? -1 : vocabulary.id(line.substring(0, space));
            int right = space < 0 ? -1 : vocabulary.id(line.substring(space + 1));
            int merged = space < 0 ? -1 : vocabulary.id(line.substring(0, space) + line.substring(space + 1));
            if (left < 0 || right < 0 || merged < 0) {
                throw new IllegalArgumentException(KEY + "merges[" + rank + "] '" + line + "' is not two tokens whose join is a token");
            }
            merges.put(left, right, rank, merged);
        }
        return merges;
    }

    /**
     * SentencePiece merges the adjacent pair whose join is the best-scoring token, leftmost on
     * ties. As a BPE table: every split of a normal token into two mergeable tokens, ranked by
     * the token's score (equal scores share a rank, so position decides as in SentencePiece).
     */
    private static IntPairMap mergesFromScores(Map<String, Object> metadata, Vocabulary vocabulary, int[] types) {
        List<?> scoresList = list(metadata, KEY + "scores");
        float[] scores = new float[vocabulary.size()];
        for (int id = 0; id < scores.length; id++) {
            scores[id] = ((Number) scoresList.get(id)).floatValue();
        }
        TreeSet<Float> distinct = new TreeSet<>(java.util.Comparator.reverseOrder());
        for (int id = 0; id < scores.length; id++) {
            distinct.add(scores[id]);
        }
        Map<Float, Integer> rankOfScore = new java.util.HashMap<>();
        for (float score : distinct) {
            rankOfScore.put(score, rankOfScore.size());
        }
        List<int[]> pairs = new ArrayList<>();
        for (int id = 0; id < vocabulary.size(); id++) {
            String token = vocabulary.token(id);
            if (types[id] != 1 || token.codePointCount(0, token.length()) < 2) {
                continue;
            }
            for (int split = token.offsetByCodePoints(0, 1); split < token.length(); split = token.offsetByCodePoints(split, 1)) {
                int left = vocabulary.id(token.substring(0, split));
                int right = vocabulary.id(token.substring(split));
                if (mergeable(left, types) && mergeable(right, types)) {
                    pairs.add(new int[] {left, right, rankOfScore.get(scores[id]), id});
                }
            }
        }
        IntPairMap merges = new IntPairMap(pairs.size());
        for (int[] pair : pairs) {
            merges.putIfAbsent(pair[0], pair[1], pair[2], pair[3]);
        }
        return merges;
    }

    private static boolean mergeable(int id, int[] types) {
        return id >= 0 && types[id] != CONTROL && types[id] != BYTE && types[id] != UNKNOWN;
    }

    /** Token types, or all normal (with {@code <0xNN>} as bytes) when the file has none. */
    private static int[] types(Map<String, Object> metadata, List<String> tokens) {
        int[] types = new int[tokens.size()];
        if (metadata.get(KEY + "token_type") instanceof List<?> list) {
            if (list.size() != tokens.size()) {
                throw new IllegalArgumentException(KEY + "token_type has " + list.size() + " entries for " + tokens.size() + " tokens");
            }
            for (int id = 0; id < types.length; id++) {
                types[id] = ((Number) list.get(id)).intValue();
            }
        } else {
            for (int id = 0; id < types.length; id++) {
                types[id] = Decoder.byteTokenValue(tokens.get(id)) >= 0 ? BYTE : 1;
            }
        }
        return types;
    }

    private static String string(Map<String, Object> metadata, String key) {
        if (!(metadata.get(key) instanceof String value)) {
            throw new IllegalArgumentException("GGUF metadata " + key + " must be a string");
        }
        return value;
    }

    private static List<?> list(Map<String, Object> metadata, String key) {
        if (!(metadata.get(key) instanceof List<?> value)) {
            throw new IllegalArgumentException("GGUF metadata " + key + " must be an array");
        }
        return value;
    }

    private static List<String> strings(Map<String, Object> metadata, String key) {
        List<?> values = list(metadata, key);
        List<String> out = new ArrayList<>(values.size());
        for (Object value : values) {
            if (!(value instanceof String s)) {
                throw new IllegalArgumentException("GGUF metadata " + key + " must be an array of strings");
            }
            out.add(s);
        }
        return out;
    }

    private static OptionalInt optionalId(Map<String, Object> metadata, String key) {
        return metadata.get(key) instanceof Number id ? OptionalInt.of(id.intValue()) : OptionalInt.empty();
    }

    private static boolean flag(Map<String, Object> metadata, String key, boolean otherwise) {
        return metadata.get(key) instanceof Boolean value ? value : otherwise;
    }
}
