package ai.ensemble.engine.tokenizer;

import java.util.List;
import java.util.Map;

/**
 * What Hugging Face's post-processor puts around a single sequence when special tokens are
 * requested: {@code [prefix ids, suffix ids]}. TemplateProcessing (Llama 2's {@code <s> $A}),
 * Roberta/Bert ({@code cls $A sep}); ByteLevel adds nothing.
 */
final class PostProcessor {

    private PostProcessor() {
    }

    static int[][] fromJson(Map<String, Object> json) {
        int[][] none = {new int[0], new int[0]};
        if (json == null) {
            return none;
        }
        String type = TokenizerJson.string(json, "type", "post_processor");
        return switch (type) {
            case "ByteLevel" -> none;
            case "TemplateProcessing" -> template(json);
            case "RobertaProcessing", "BertProcessing" -> new int[][] {
                    {pairId(json, "cls")}, {pairId(json, "sep")}};
            case "Sequence" -> {
                int[][] result = none;
                for (Map<String, Object> step : TokenizerJson.objects(json, "processors", "post_processor")) {
                    int[][] inner = fromJson(step);
                    result = new int[][] {concat(inner[0], result[0]), concat(result[1], inner[1])};
                }
                yield result;
            }
            default -> throw new IllegalArgumentException("tokenizer.json: post_processor type '" + type + "' is not supported");
        };
    }

    private static int[][] template(Map<String, Object> json) {
        Map<String, Object> specials = TokenizerJson.object(json, "special_tokens", "post_processor");
        int[] prefix = new int[0];
        int[] suffix = new int[0];
        boolean seenSequence = false;
        for (Map<String, Object> item : TokenizerJson.objects(json, "single", "post_processor")) {
            if (item.containsKey("Sequence")) {
                seenSequence = true;
                continue;
            }
            String name = TokenizerJson.string(TokenizerJson.object(item, "SpecialToken", "post_processor.single[]"), "id",
                    "post_processor.single[].SpecialToken");
            Map<String, Object> special = TokenizerJson.object(specials, name, "post_processor.special_tokens");
            int[] ids = ((List<?>) special.get("ids")).stream().mapToInt(id -> ((Number) id).intValue()).toArray();
            if (seenSequence) {
                suffix = concat(suffix, ids);
            } else {
                prefix = concat(prefix, ids);
            }
        }
        return new int[][] {prefix, suffix};
    }

    /** Roberta/Bert write special tokens as {@code ["<s>", 0]}. */
    private static int pairId(Map<String, Object> json, String field) {
        if (json.get(field) instanceof List<?> pair && pair.size() == 2 && pair.get(1) instanceof Number id) {
            return id.intValue();
        }
        throw new IllegalArgumentException("tokenizer.json: post_processor." + field + " must be [token, id]");
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
