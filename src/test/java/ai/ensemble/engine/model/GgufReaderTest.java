package ai.ensemble.engine.model;

import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import ai.ensemble.engine.tensor.FloatTensor;
import ai.ensemble.engine.tensor.MappedTensor;
import ai.ensemble.engine.tensor.Quantization;
import ai.ensemble.engine.tensor.TensorType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Reads GGUF files written by gguf-py, ggml-org's own implementation (see the fixtures' README). */
class GgufReaderTest {

    static final Path FIXTURES = Path.of("src/test/resources/engine/gguf");

    private static Arena arena;
    private static Gguf quantTypes;

    @BeforeAll
    static void open() throws Exception {
        arena = Arena.ofShared();
        quantTypes = Gguf.open(FIXTURES.resolve("quant-types.gguf"), arena);
    }

    @AfterAll
    static void close() {
        arena.close();
    }

    @Test
    void readsEveryMetadataValueType() {
        Map<String, Object> metadata = quantTypes.metadata();
        assertThat(quantTypes.version()).isEqualTo(3);
        assertThat(metadata.get("general.architecture")).isEqualTo("test");
        assertThat(metadata.get("test.uint8")).isEqualTo(200);
        assertThat(metadata.get("test.int8")).isEqualTo(-100);
        assertThat(metadata.get("test.uint16")).isEqualTo(60000);
        assertThat(metadata.get("test.int16")).isEqualTo(-30000);
        assertThat(metadata.get("test.uint32")).isEqualTo(4_000_000_000L);
        assertThat(metadata.get("test.int32")).isEqualTo(-2_000_000_000);
        assertThat(metadata.get("test.float32")).isEqualTo(0.25f);
        assertThat(metadata.get("test.bool")).isEqualTo(true);
        assertThat(metadata.get("test.string")).isEqualTo("héllo ✓");
        assertThat(metadata.get("test.uint64")).isEqualTo(1L << 40);
        assertThat(metadata.get("test.int64")).isEqualTo(-(1L << 40));
        assertThat(metadata.get("test.float64")).isEqualTo(Math.PI);
        assertThat(metadata.get("test.array.int32")).isEqualTo(List.of(1, -2, 3));
        assertThat(metadata.get("test.array.float32")).isEqualTo(List.of(0.5f, -1.5f));
        assertThat(metadata.get("test.array.string")).isEqualTo(List.of("a", "bc", ""));
        assertThat(metadata.get("test.array.nested")).isEqualTo(List.of(List.of(1, 2), List.of(3)));
    }

    @ParameterizedTest
    @EnumSource(TensorType.class)
    void decodesEachTypeExactlyAsGgufPyDequantises(TensorType type) {
        String name = type.name().toLowerCase();
        FloatTensor tensor = quantTypes.tensor(name);
        FloatTensor expected = quantTypes.tensor(name + ".expected");
        assertThat(tensor.type()).isEqualTo(type);
        assertThat(quantTypes.shape(name)).containsExactly(4, 256);
        for (long i = 0; i < tensor.size(); i++) {
            assertThat(tensor.getFloat(i)).as("%s element %d", type, i).isEqualTo(expected.getFloat(i));
        }
        float[] x = new float[256];
        Random random = new Random(9);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        for (int row = 0; row < 4; row++) {
            double reference = 0;
            double magnitude = 0;
            for (int c = 0; c < 256; c++) {
                reference += (double) expected.getFloat(row * 256L + c) * x[c];
                magnitude += Math.abs((double) expected.getFloat(row * 256L + c) * x[c]);
            }
            assertThat((double) tensor.dot(row * 256L, x, 0, 256)).isCloseTo(reference, within(1e-5 * magnitude));
        }
    }

    /** Our quantisers must produce the bytes that ggml's reference quantisers (as ported by gguf-py) produce. */
    @ParameterizedTest
    @EnumSource(value = TensorType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0"})
    void encodesTheSameBytesAsGgufPy(TensorType type) {
        String name = type.name().toLowerCase();
        FloatTensor source = quantTypes.tensor(name + ".source");
        float[] values = new float[(int) source.size()];
        source.copyTo(0, values, 0, values.length);
        byte[] theirs = ((MappedTensor) quantTypes.tensor(name)).segment().toArray(ValueLayout.JAVA_BYTE);
        assertThat(Quantization.encode(type, values)).isEqualTo(theirs);
    }

    @Test
    @SuppressWarnings("unchecked")
    void loadsTheLlamaModelGgufPyWrote() throws Exception {
        try (LoadedModel gguf = ModelLoader.load(FIXTURES.resolve("llama-tiny-f32.gguf"));
             LoadedModel hf = ModelLoader.load(HfModelsTest.LLAMA_F32)) {
            ModelConfig config = gguf.config();
            ModelConfig reference = hf.config();
            assertThat(config.architecture()).isEqualTo("llama");
            assertThat(config.ropeStyle()).isEqualTo(RopeStyle.INTERLEAVED);
            assertThat(config.ropeScaling()).isNull();
            assertThat(config).usingRecursiveComparison().ignoringFields("ropeStyle", "ropeScaling").isEqualTo(reference);
            LlamaWeights weights = gguf.weights();
            assertThat(weights.output()).isSameAs(weights.tokenEmbedding());
            FloatTensor factors = weights.ropeFrequencyFactors();
            FloatTensor expectedFactors = hf.weights().ropeFrequencyFactors();
            for (int i = 0; i < 8; i++) {
                assertThat(factors.getFloat(i)).isCloseTo(expectedFactors.getFloat(i), within(1e-6f * expectedFactors.getFloat(i)));
            }
            float[] hfQ = read(hf.weights().layers().get(1).wq());
            float[] permuted = GgufConverter.permuteRows(hfQ, 4, 16, 64);
            assertThat(read(weights.layers().get(1).wq())).isEqualTo(permuted);
            assertThat(read(weights.layers().get(1).wk())).isEqualTo(GgufConverter.permuteRows(read(hf.weights().layers().get(1).wk()), 2, 16, 64));
            assertThat(read(weights.layers().get(0).wDown())).isEqualTo(read(hf.weights().layers().get(0).wDown()));
            Map<String, Object> tokenizer = gguf.tokenizer().ggufMetadata();
            assertThat(tokenizer.get("tokenizer.ggml.model")).isEqualTo("gpt2");
            assertThat((List<Object>) tokenizer.get("tokenizer.ggml.tokens")).hasSize(512).startsWith("<unk>", "<s>", "</s>", "tok3");
            assertThat(tokenizer.get("tokenizer.chat_template")).isEqualTo("{{ messages }}");
            assertThat(gguf.tokenizer().tokenizerJson()).isNull();
        }
    }

    static float[] read(FloatTensor tensor) {
        float[] values = new float[(int) tensor.size()];
        tensor.copyTo(0, values, 0, values.length);
        return values;
    }
}
