package ai.ensemble.engine.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a Hugging Face {@code config.json} (LlamaConfig, MistralConfig, Qwen2Config) into a
 * {@link ModelConfig}. Absent fields take transformers' defaults for that architecture.
 * transformers 5 writes {@code rope_parameters} (with {@code rope_theta} inside); older files write a
 * top-level {@code rope_theta} and an optional {@code rope_scaling}; both are read.
 */
public final class HfConfig {

    private static final Set<String> ARCHITECTURES = Set.of("llama", "mistral", "qwen2");

    private final Map<String, Object> json;

    private HfConfig(Map<String, Object> json) {
        this.json = json;
    }

    /**
     * @param biasTensors whether the checkpoint holds q/k/v projection biases: Qwen2 always has
     *                    them although its config does not say so, so presence decides.
     */
    public static ModelConfig parse(Map<String, Object> json, boolean biasTensors) {
        return new HfConfig(json).toModelConfig(biasTensors);
    }

    private ModelConfig toModelConfig(boolean biasTensors) {
        String modelType = string("model_type");
        if (!ARCHITECTURES.contains(modelType)) {
            throw new IllegalArgumentException("config.json: model_type '" + modelType + "' is not supported (llama, mistral, qwen2)");
        }
        if (bool("mlp_bias", false)) {
            throw new IllegalArgumentException("config.json: mlp_bias true is not supported");
        }
        int dim = integer("hidden_size", null);
        int heads = integer("num_attention_heads", null);
        int kvHeads = integer("num_key_value_heads", heads);
        int headDim = integer("head_dim", dim / heads);
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("config.json: num_attention_heads " + heads + " is not a multiple of num_key_value_heads " + kvHeads);
        }
        Map<String, Object> ropeParameters = map("rope_parameters");
        Map<String, Object> ropeScaling = map("rope_scaling");
        Object theta = json.get("rope_theta");
        if (theta == null && ropeParameters != null) {
            theta = ropeParameters.get("rope_theta");
        }
        float ropeTheta = theta == null ? 10000f : ((Number) theta).floatValue();
        RopeScaling scaling = ropeScaling(ropeScaling != null ? ropeScaling : ropeParameters);
        boolean attentionBias = bool("attention_bias", false) || biasTensors;
        return new ModelConfig(
                modelType,
                dim,
                integer("intermediate_size", null),
                integer("num_hidden_layers", null),
                heads,
                kvHeads,
                headDim,
                integer("vocab_size", null),
                integer("max_position_embeddings", 2048),
                number("rms_norm_eps", 1e-6f),
                ropeTheta,
                scaling,
                RopeStyle.HALF,
                bool("tie_word_embeddings", false),
                attentionBias,
                json.get("bos_token_id") instanceof Number bos ? bos.intValue() : -1,
                tokenIds(json.get("eos_token_id")));
    }

    private static RopeScaling ropeScaling(Map<String, Object> parameters) {
        if (parameters == null) {
            return null;
        }
        Object type = parameters.getOrDefault("rope_type", parameters.get("type"));
        if (type == null || "default".equals(type)) {
            return null;
        }
        if (!"llama3".equals(type)) {
            throw new IllegalArgumentException("config.json: rope scaling type '" + type + "' is not supported (default, llama3)");
        }
        return new RopeScaling("llama3",
                floatOf(parameters, "factor", 8f),
                floatOf(parameters, "low_freq_factor", 1f),
                floatOf(parameters, "high_freq_factor", 4f),
                (int) floatOf(parameters, "original_max_position_embeddings", 8192f));
    }

    private static float floatOf(Map<String, Object> map, String key, float fallback) {
        return map.get(key) instanceof Number number ? number.floatValue() : fallback;
    }

    private static List<Integer> tokenIds(Object value) {
        List<Integer> ids = new ArrayList<>();
        if (value instanceof Number number) {
            ids.add(number.intValue());
        } else if (value instanceof List<?> list) {
            for (Object item : list) {
                ids.add(((Number) item).intValue());
            }
        }
        return ids;
    }

    private String string(String key) {
        Object value = json.get(key);
        if (!(value instanceof String text)) {
            throw new IllegalArgumentException("config.json: " + key + " must be a string, found " + value);
        }
        return text;
    }

    private int integer(String key, Integer fallback) {
        Object value = json.get(key);
        if (value == null) {
            if (fallback == null) {
                throw new IllegalArgumentException("config.json: " + key + " is required");
            }
            return fallback;
        }
        if (!(value instanceof Long number) || number <= 0 || number > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("config.json: " + key + " must be a positive integer, found " + value);
        }
        return number.intValue();
    }

    private float number(String key, float fallback) {
        Object value = json.get(key);
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof Number number)) {
            throw new IllegalArgumentException("config.json: " + key + " must be a number, found " + value);
        }
        return number.floatValue();
    }

    private boolean bool(String key, boolean fallback) {
        return json.get(key) instanceof Boolean value ? value : fallback;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> map(String key) {
        return json.get(key) instanceof Map<?, ?> map ? (Map<String, Object>) map : null;
    }
}
