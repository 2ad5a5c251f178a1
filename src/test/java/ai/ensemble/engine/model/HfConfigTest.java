package ai.ensemble.engine.model;

import java.util.Map;

import ai.ensemble.engine.json.Json;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** config.json variants written by different transformers versions. */
class HfConfigTest {

    private static ModelConfig parse(String json, boolean biases) {
        return HfConfig.parse(Json.parseObject(json), biases);
    }

    private static final String BASE = """
            "hidden_size": 2048, "intermediate_size": 8192, "num_hidden_layers": 16, "num_attention_heads": 32,
            "num_key_value_heads": 8, "vocab_size": 128256, "max_position_embeddings": 131072, "rms_norm_eps": 1e-05""";

    @Test
    void readsLlama32StyleRopeScalingWrittenByTransformers4() {
        ModelConfig config = parse("""
                {"model_type": "llama", %s, "rope_theta": 500000.0, "tie_word_embeddings": true,
                 "rope_scaling": {"factor": 32.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                                  "original_max_position_embeddings": 8192, "rope_type": "llama3"},
                 "bos_token_id": 128000, "eos_token_id": [128001, 128008, 128009]}""".formatted(BASE), false);
        assertThat(config.headDim()).isEqualTo(64);
        assertThat(config.ropeTheta()).isEqualTo(500000f);
        assertThat(config.ropeScaling()).isEqualTo(new RopeScaling("llama3", 32f, 1f, 4f, 8192));
        assertThat(config.eosTokens()).containsExactly(128001, 128008, 128009);
        assertThat(config.bosToken()).isEqualTo(128000);
        assertThat(config.tiedEmbeddings()).isTrue();
    }

    @Test
    void readsTheOlderTypeKeyAndDefaults() {
        ModelConfig config = parse("""
                {"model_type": "mistral", %s, "rope_scaling": {"type": "default"}, "head_dim": null}""".formatted(BASE), false);
        assertThat(config.ropeScaling()).isNull();
        assertThat(config.ropeTheta()).isEqualTo(10000f);
        assertThat(config.headDim()).isEqualTo(64);
        assertThat(config.tiedEmbeddings()).isFalse();
        assertThat(config.eosTokens()).isEmpty();
        assertThat(config.bosToken()).isEqualTo(-1);
    }

    @Test
    void biasTensorsTurnOnAttentionBias() {
        assertThat(parse("{\"model_type\": \"qwen2\", %s}".formatted(BASE), true).attentionBias()).isTrue();
        assertThat(parse("{\"model_type\": \"qwen2\", %s}".formatted(BASE), false).attentionBias()).isFalse();
    }

    @Test
    void rejectsUnsupportedRopeScalingByName() {
        assertThatThrownBy(() -> parse("{\"model_type\": \"llama\", %s, \"rope_scaling\": {\"rope_type\": \"yarn\", \"factor\": 4.0}}"
                .formatted(BASE), false)).hasMessageContaining("rope scaling type 'yarn'");
    }

    @Test
    void namesAMissingRequiredField() {
        assertThatThrownBy(() -> parse("{\"model_type\": \"llama\", \"hidden_size\": 64, \"num_attention_heads\": 4}", false))
                .hasMessageContaining("intermediate_size is required");
    }

    @Test
    void llama3FrequencyFactorsFollowTheThreeBands() {
        RopeScaling scaling = new RopeScaling("llama3", 32f, 1f, 4f, 8192);
        float[] factors = scaling.frequencyFactors(64, 500000f);
        assertThat(factors).hasSize(32);
        assertThat(factors[0]).isEqualTo(1f);       // short wavelengths are kept
        assertThat(factors[31]).isEqualTo(32f);     // long wavelengths are divided by the factor
        for (int i = 1; i < factors.length; i++) {
            assertThat(factors[i]).isGreaterThanOrEqualTo(factors[i - 1]);
        }
    }

    @Test
    void ignoresUnrelatedFields() {
        Map<String, Object> json = Json.parseObject("{\"model_type\": \"llama\", %s, \"architectures\": [\"LlamaForCausalLM\"], \"pad_token_id\": null}"
                .formatted(BASE));
        assertThat(HfConfig.parse(json, false).vocabSize()).isEqualTo(128256);
    }
}
