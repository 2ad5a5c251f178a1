package ai.ensemble.engine.model;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import ai.ensemble.engine.json.Json;
import ai.ensemble.engine.tensor.FloatTensor;
import ai.ensemble.engine.tensor.Quantization;
import ai.ensemble.engine.tensor.TensorType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Loads the Hugging Face fixtures that transformers wrote (src/test/resources/engine/fixtures/models). */
class HfModelsTest {

    static final Path MODELS = Path.of("src/test/resources/engine/fixtures/models");
    static final Path LLAMA_F32 = MODELS.resolve("llama-tiny-f32");
    static final Path LLAMA_BF16 = MODELS.resolve("llama-tiny-bf16");
    static final Path QWEN2_F32 = MODELS.resolve("qwen2-tiny-f32");

    @Test
    void llamaConfigMatchesConfigJson() throws Exception {
        Map<String, Object> json = Json.parseObject(Files.readString(LLAMA_F32.resolve("config.json")));
        try (LoadedModel model = ModelLoader.load(LLAMA_F32)) {
            ModelConfig config = model.config();
            assertThat(config.architecture()).isEqualTo("llama");
            assertThat(config.dim()).isEqualTo(((Number) json.get("hidden_size")).intValue()).isEqualTo(64);
            assertThat(config.hiddenDim()).isEqualTo(((Number) json.get("intermediate_size")).intValue()).isEqualTo(176);
            assertThat(config.layers()).isEqualTo(((Number) json.get("num_hidden_layers")).intValue()).isEqualTo(2);
            assertThat(config.heads()).isEqualTo(4);
            assertThat(config.kvHeads()).isEqualTo(2);
            assertThat(config.headDim()).isEqualTo(16);
            assertThat(config.vocabSize()).isEqualTo(512);
            assertThat(config.contextLength()).isEqualTo(256);
            assertThat(config.rmsNormEps()).isEqualTo(1e-5f);
            assertThat(config.ropeTheta()).isEqualTo(500000f);
            assertThat(config.ropeScaling()).isEqualTo(new RopeScaling("llama3", 8f, 1f, 4f, 64));
            assertThat(config.ropeStyle()).isEqualTo(RopeStyle.HALF);
            assertThat(config.tiedEmbeddings()).isTrue();
            assertThat(config.attentionBias()).isFalse();
            assertThat(config.bosToken()).isEqualTo(1);
            assertThat(config.eosTokens()).containsExactly(2);
            assertThat(model.tokenizer().tokenizerJson()).isNull();
        }
    }

    @Test
    void llamaWeightsHaveConfiguredShapesAndTiedOutput() throws Exception {
        try (LoadedModel model = ModelLoader.load(LLAMA_F32)) {
            LlamaWeights weights = model.weights();
            assertThat(weights.output()).isSameAs(weights.tokenEmbedding());
            assertThat(weights.tokenEmbedding().size()).isEqualTo(512 * 64);
            assertThat(weights.layers()).hasSize(2);
            LlamaWeights.Layer layer = weights.layers().get(1);
            assertThat(layer.wq().size()).isEqualTo(64 * 64);
            assertThat(layer.wk().size()).isEqualTo(32 * 64);
            assertThat(layer.wv().size()).isEqualTo(32 * 64);
            assertThat(layer.wo().size()).isEqualTo(64 * 64);
            assertThat(layer.wGate().size()).isEqualTo(176 * 64);
            assertThat(layer.wDown().size()).isEqualTo(64 * 176);
            assertThat(layer.bq()).isNull();
            assertThat(weights.outputNorm().type()).isEqualTo(TensorType.F32);
            float[] expectedFactors = model.config().ropeScaling().frequencyFactors(16, 500000f);
            assertThat(weights.ropeFrequencyFactors().size()).isEqualTo(8);
            for (int i = 0; i < 8; i++) {
                assertThat(weights.ropeFrequencyFactors().getFloat(i)).isEqualTo(expectedFactors[i]);
            }
        }
    }

    @Test
    void tensorValuesMatchTheFileBytes() throws Exception {
        // Independent reading: model.layers.1.mlp.down_proj.weight (64, 176) at data_offsets [316160, 361216].
        byte[] file = Files.readAllBytes(LLAMA_F32.resolve("model.safetensors"));
        ByteBuffer buffer = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        long dataStart = 8 + buffer.getLong(0);
        try (LoadedModel model = ModelLoader.load(LLAMA_F32)) {
            FloatTensor down = model.weights().layers().get(1).wDown();
            for (int index : new int[] {0, 1, 175, 176, 5000, 64 * 176 - 1}) {
                assertThat(down.getFloat(index)).isEqualTo(buffer.getFloat((int) (dataStart + 316160 + 4L * index)));
            }
        }
    }

    @Test
    void bf16ModelHoldsTheF32ModelRoundedToBfloat16() throws Exception {
        try (LoadedModel f32 = ModelLoader.load(LLAMA_F32); LoadedModel bf16 = ModelLoader.load(LLAMA_BF16)) {
            assertThat(bf16.config()).isEqualTo(f32.config());
            assertThat(bf16.weights().tokenEmbedding().type()).isEqualTo(TensorType.BF16);
            List<FloatTensor[]> pairs = new java.util.ArrayList<>();
            pairs.add(new FloatTensor[] {f32.weights().tokenEmbedding(), bf16.weights().tokenEmbedding()});
            pairs.add(new FloatTensor[] {f32.weights().outputNorm(), bf16.weights().outputNorm()});
            for (int l = 0; l < 2; l++) {
                LlamaWeights.Layer a = f32.weights().layers().get(l);
                LlamaWeights.Layer b = bf16.weights().layers().get(l);
                pairs.add(new FloatTensor[] {a.attentionNorm(), b.attentionNorm()});
                pairs.add(new FloatTensor[] {a.wq(), b.wq()});
                pairs.add(new FloatTensor[] {a.wk(), b.wk()});
                pairs.add(new FloatTensor[] {a.wv(), b.wv()});
                pairs.add(new FloatTensor[] {a.wo(), b.wo()});
                pairs.add(new FloatTensor[] {a.ffnNorm(), b.ffnNorm()});
                pairs.add(new FloatTensor[] {a.wGate(), b.wGate()});
                pairs.add(new FloatTensor[] {a.wUp(), b.wUp()});
                pairs.add(new FloatTensor[] {a.wDown(), b.wDown()});
            }
            for (FloatTensor[] pair : pairs) {
                assertThat(pair[1].size()).isEqualTo(pair[0].size());
                for (long i = 0; i < pair[0].size(); i++) {
                    assertThat(pair[1].getFloat(i)).isEqualTo(Quantization.roundToBFloat16(pair[0].getFloat(i)));
                }
            }
        }
    }

    @Test
    void qwen2HasAttentionBiasesAndAnUntiedOutput() throws Exception {
        try (LoadedModel model = ModelLoader.load(QWEN2_F32)) {
            ModelConfig config = model.config();
            assertThat(config.architecture()).isEqualTo("qwen2");
            assertThat(config.attentionBias()).isTrue();
            assertThat(config.tiedEmbeddings()).isFalse();
            assertThat(config.ropeTheta()).isEqualTo(1_000_000f);
            assertThat(config.ropeScaling()).isNull();
            assertThat(config.headDim()).isEqualTo(16);
            assertThat(config.ropeStyle()).isEqualTo(RopeStyle.HALF);
            LlamaWeights weights = model.weights();
            assertThat(weights.ropeFrequencyFactors()).isNull();
            assertThat(weights.output()).isNotSameAs(weights.tokenEmbedding());
            assertThat(weights.output().size()).isEqualTo(512 * 64);
            for (LlamaWeights.Layer layer : weights.layers()) {
                assertThat(layer.bq().size()).isEqualTo(64);
                assertThat(layer.bk().size()).isEqualTo(32);
                assertThat(layer.bv().size()).isEqualTo(32);
            }
        }
    }

    @Test
    void shardedFolderReadsTheSameTensorsAsOneFile(@TempDir Path folder) throws Exception {
        Files.copy(LLAMA_F32.resolve("config.json"), folder.resolve("config.json"));
        try (LoadedModel whole = ModelLoader.load(LLAMA_F32)) {
            SafetensorsTestWriter first = new SafetensorsTestWriter();
            SafetensorsTestWriter second = new SafetensorsTestWriter();
            StringBuilder weightMap = new StringBuilder();
            try (var arena = java.lang.foreign.Arena.ofConfined()) {
                Safetensors file = Safetensors.open(LLAMA_F32.resolve("model.safetensors"), arena);
                for (String name : file.names()) {
                    boolean inFirst = name.contains("layers.0") || name.contains("embed");
                    float[] data = new float[(int) file.tensor(name).size()];
                    file.tensor(name).copyTo(0, data, 0, data.length);
                    (inFirst ? first : second).add(name, data, file.shape(name));
                    String shard = inFirst ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors";
                    weightMap.append(weightMap.isEmpty() ? "" : ",").append('"').append(name).append("\":\"").append(shard).append('"');
                }
            }
            first.write(folder.resolve("model-00001-of-00002.safetensors"));
            second.write(folder.resolve("model-00002-of-00002.safetensors"));
            Files.writeString(folder.resolve("model.safetensors.index.json"),
                    "{\"metadata\":{\"total_size\":0},\"weight_map\":{" + weightMap + "}}");
            try (LoadedModel sharded = ModelLoader.load(folder)) {
                assertThat(sharded.config()).isEqualTo(whole.config());
                FloatTensor expected = whole.weights().layers().get(1).wUp();
                FloatTensor actual = sharded.weights().layers().get(1).wUp();
                for (long i = 0; i < expected.size(); i++) {
                    assertThat(actual.getFloat(i)).isEqualTo(expected.getFloat(i));
                }
                assertThat(sharded.weights().tokenEmbedding().getFloat(777)).isEqualTo(whole.weights().tokenEmbedding().getFloat(777));
            }
        }
    }

    @Test
    void rejectsATensorWhoseShapeDisagreesWithTheConfig(@TempDir Path folder) throws IOException {
        String config = Files.readString(LLAMA_F32.resolve("config.json")).replace("\"intermediate_size\": 176", "\"intermediate_size\": 180");
        Files.writeString(folder.resolve("config.json"), config);
        Files.copy(LLAMA_F32.resolve("model.safetensors"), folder.resolve("model.safetensors"));
        assertThatThrownBy(() -> ModelLoader.load(folder))
                .hasMessageContaining("model.layers.0.mlp.gate_proj.weight")
                .hasMessageContaining("[176, 64]")
                .hasMessageContaining("[180, 64]");
    }

    @Test
    void rejectsAnUnsupportedArchitectureByName(@TempDir Path folder) throws IOException {
        Files.writeString(folder.resolve("config.json"), "{\"model_type\": \"gpt2\"}");
        Files.copy(LLAMA_F32.resolve("model.safetensors"), folder.resolve("model.safetensors"));
        assertThatThrownBy(() -> ModelLoader.load(folder)).hasMessageContaining("model_type 'gpt2' is not supported");
    }

    @Test
    void rejectsTruncatedSafetensors(@TempDir Path folder) throws IOException {
        Files.copy(LLAMA_F32.resolve("config.json"), folder.resolve("config.json"));
        byte[] bytes = Files.readAllBytes(LLAMA_F32.resolve("model.safetensors"));
        Files.write(folder.resolve("model.safetensors"), java.util.Arrays.copyOf(bytes, bytes.length - 100));
        assertThatThrownBy(() -> ModelLoader.load(folder)).hasMessageContaining("model.norm.weight").hasMessageContaining("data_offsets");
    }
}
