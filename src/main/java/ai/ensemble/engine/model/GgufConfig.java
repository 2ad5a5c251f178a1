package ai.ensemble.engine.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads a {@link ModelConfig} from GGUF metadata ({@code general.architecture} and
 * {@code <arch>.*} keys, as llama.cpp's converter writes them). llama and mistral files store q/k
 * rows permuted for interleaved rotary pairs; qwen2 files keep Hugging Face's rotate-half order.
 */
public final class GgufConfig {

    private final Map<String, Object> metadata;
    private final String architecture;

    private GgufConfig(Map<String, Object> metadata) {
        this.metadata = metadata;
        Object value = metadata.get("general.architecture");
        if (!(value instanceof String name)) {
            throw new IllegalArgumentException("GGUF metadata: general.architecture is missing");
        }
        this.architecture = name;
    }

    /**
     * @param tensors the file's tensors: the vocabulary size falls back to {@code token_embd}'s rows,
     *                and q/k/v biases and a separate {@code output.weight} are detected by presence
     */
    public static ModelConfig parse(Map<String, Object> metadata, TensorSource tensors) {
        return new GgufConfig(metadata).toModelConfig(tensors);
    }

    private ModelConfig toModelConfig(TensorSource tensors) {
        RopeStyle ropeStyle = switch (architecture) {
            case "llama", "mistral" -> RopeStyle.INTERLEAVED;
            case "qwen2" -> RopeStyle.HALF;
            default -> throw new IllegalArgumentException(
                    "GGUF metadata: general.architecture '" + architecture + "' is not supported (llama, mistral, qwen2)");
        };
        Object scalingType = metadata.get(architecture + ".rope.scaling.type");
        if (scalingType != null && !"none".equals(scalingType)) {
            throw new IllegalArgumentException("GGUF metadata: " + architecture + ".rope.scaling.type '" + scalingType
                    + "' is not supported (none; llama3 scaling comes as the rope_freqs.weight tensor)");
        }
        int dim = integer("embedding_length", null);
        int heads = integer("attention.head_count", null);
        int kvHeads = integer("attention.head_count_kv", heads);
        return new ModelConfig(
                architecture,
                dim,
                integer("feed_forward_length", null),
                integer("block_count", null),
                heads,
                kvHeads,
                integer("attention.key_length", dim / heads),
                vocabularySize(tensors),
                integer("context_length", 2048),
                number("attention.layer_norm_rms_epsilon", 1e-5f),
                number("rope.freq_base", 10000f),
                null,
                ropeStyle,
                !tensors.contains("output.weight"),
                tensors.contains("blk.0.attn_q.bias"),
                metadata.get("tokenizer.ggml.bos_token_id") instanceof Number bos ? bos.intValue() : -1,
                endTokens());
    }

    private int vocabularySize(TensorSource tensors) {
        if (metadata.get(architecture + ".vocab_size") instanceof Number size) {
            return size.intValue();
        }
        if (metadata.get("tokenizer.ggml.tokens") instanceof List<?> tokens) {
            return tokens.size();
        }
        if (tensors.contains("token_embd.weight")) {
            return Math.toIntExact(tensors.shape("token_embd.weight")[0]);
        }
        throw new IllegalArgumentException("GGUF: no vocabulary size (" + architecture + ".vocab_size, tokenizer.ggml.tokens or token_embd.weight)");
    }

    /** End of sequence, end of turn and end of message all stop generation (Llama 3 instruct ends turns with eot). */
    private List<Integer> endTokens() {
        List<Integer> ids = new ArrayList<>();
        for (String key : List.of("tokenizer.ggml.eos_token_id", "tokenizer.ggml.eot_token_id", "tokenizer.ggml.eom_token_id")) {
            if (metadata.get(key) instanceof Number id && !ids.contains(id.intValue())) {
                ids.add(id.intValue());
            }
        }
        return ids;
    }

    private int integer(String suffix, Integer fallback) {
        String key = architecture + "." + suffix;
        Object value = metadata.get(key);
        if (value == null) {
            if (fallback == null) {
                throw new IllegalArgumentException("GGUF metadata: " + key + " is required");
            }
            return fallback;
        }
        if (!(value instanceof Integer || value instanceof Long) || ((Number) value).longValue() <= 0
                || ((Number) value).longValue() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("GGUF metadata: " + key + " must be a positive integer, found " + value);
        }
        return ((Number) value).intValue();
    }

    private float number(String suffix, float fallback) {
        String key = architecture + "." + suffix;
        Object value = metadata.get(key);
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof Number number)) {
            throw new IllegalArgumentException("GGUF metadata: " + key + " must be a number, found " + value);
        }
        return number.floatValue();
    }
}
