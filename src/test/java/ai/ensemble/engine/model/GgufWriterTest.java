package ai.ensemble.engine.model;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import ai.ensemble.engine.tensor.FloatTensor;
import ai.ensemble.engine.tensor.Quantization;
import ai.ensemble.engine.tensor.TensorType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Round trips through the project's own writer, and HF → GGUF conversion. */
class GgufWriterTest {

    @TempDir
    Path folder;

    @ParameterizedTest
    @ValueSource(ints = {32, 64})
    void everyTensorTypeReadsBackTheWrittenValues(int alignment) throws IOException {
        Random random = new Random(alignment);
        GgufWriter writer = new GgufWriter().alignment(alignment)
                .putString("general.architecture", "test")
                .putUInt32("test.count", 3_000_000_000L)
                .putInt32("test.signed", -7)
                .putFloat32("test.epsilon", 1e-5f)
                .putBool("test.flag", true)
                .putStrings("test.tokens", List.of("a", "ü", ""))
                .putFloat32s("test.scores", new float[] {0.5f, -1f})
                .putInt32s("test.types", new int[] {1, 3});
        float[][] written = new float[TensorType.values().length][];
        for (TensorType type : TensorType.values()) {
            float[] values = FloatTensorValues.gaussian(random, 3 * 512);
            written[type.ordinal()] = values;
            writer.addTensor("t." + type, type, values, 3, 512);
        }
        writer.addTensor("vector", TensorType.F32, new float[] {1, 2, 3}, 3);
        Path file = folder.resolve("all.gguf");
        writer.write(file);

        try (Arena arena = Arena.ofConfined()) {
            Gguf gguf = Gguf.open(file, arena);
            assertThat(gguf.metadata())
                    .containsEntry("test.count", 3_000_000_000L)
                    .containsEntry("test.signed", -7)
                    .containsEntry("test.epsilon", 1e-5f)
                    .containsEntry("test.flag", true)
                    .containsEntry("test.tokens", List.of("a", "ü", ""))
                    .containsEntry("test.scores", List.of(0.5f, -1f))
                    .containsEntry("test.types", List.of(1, 3));
            assertThat(gguf.dataStart() % alignment).isZero();
            for (TensorType type : TensorType.values()) {
                FloatTensor tensor = gguf.tensor("t." + type);
                assertThat(tensor.type()).isEqualTo(type);
                assertThat(gguf.shape("t." + type)).containsExactly(3, 512);
                assertThat(gguf.tensors().get("t." + type).dimensions()).containsExactly(512, 3);
                float[] values = written[type.ordinal()];
                float[] expected = decode(type, values);
                for (int i = 0; i < values.length; i++) {
                    assertThat(tensor.getFloat(i)).as("%s element %d", type, i).isEqualTo(expected[i]);
                }
                if (type == TensorType.F32) {
                    assertThat(expected).isEqualTo(values);
                }
            }
            assertThat(gguf.shape("vector")).containsExactly(3);
            assertThat(gguf.tensor("vector").getFloat(2)).isEqualTo(3f);
        }
        assertThat(Files.exists(folder.resolve("all.gguf.partial"))).isFalse();
    }

    private static float[] decode(TensorType type, float[] values) {
        try (Arena arena = Arena.ofConfined()) {
            byte[] bytes = Quantization.encode(type, values);
            var segment = arena.allocate(bytes.length);
            segment.copyFrom(java.lang.foreign.MemorySegment.ofArray(bytes));
            FloatTensor tensor = ai.ensemble.engine.tensor.MappedTensor.of(type, segment, values.length);
            float[] out = new float[values.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = tensor.getFloat(i);
            }
            return out;
        }
    }

    @Test
    void convertedLlamaMatchesTheFileGgufPyWrote() throws Exception {
        Path file = folder.resolve("llama.gguf");
        try (LoadedModel hf = ModelLoader.load(HfModelsTest.LLAMA_F32)) {
            GgufConverter.convert(hf, TensorType.F32, file);
        }
        try (Arena arena = Arena.ofConfined()) {
            Gguf ours = Gguf.open(file, arena);
            Gguf theirs = Gguf.open(GgufReaderTest.FIXTURES.resolve("llama-tiny-f32.gguf"), arena);
            assertThat(ours.names()).containsExactlyInAnyOrderElementsOf(theirs.names());
            for (String name : theirs.names()) {
                assertThat(ours.shape(name)).as(name).isEqualTo(theirs.shape(name));
                float[] expected = GgufReaderTest.read(theirs.tensor(name));
                float[] actual = GgufReaderTest.read(ours.tensor(name));
                if (name.equals(GgufModels.ROPE_FREQUENCIES)) {
                    for (int i = 0; i < expected.length; i++) {
                        assertThat(actual[i]).isCloseTo(expected[i], within(1e-6f * expected[i]));
                    }
                } else {
                    assertThat(actual).as(name).isEqualTo(expected);
                }
            }
            for (String key : theirs.metadata().keySet()) {
                if (key.startsWith("llama.")) {
                    assertThat(ours.metadata().get(key)).as(key).isEqualTo(theirs.metadata().get(key));
                }
            }
        }
    }

    @Test
    void convertedQwen2KeepsRotateHalfBiasesAndItsOwnOutput() throws Exception {
        Path file = folder.resolve("qwen2.gguf");
        try (LoadedModel hf = ModelLoader.load(HfModelsTest.QWEN2_F32)) {
            GgufConverter.convert(hf, TensorType.F32, file);
            try (LoadedModel gguf = ModelLoader.load(file)) {
                assertThat(gguf.config().ropeStyle()).isEqualTo(RopeStyle.HALF);
                assertThat(gguf.config()).usingRecursiveComparison().isEqualTo(hf.config());
                LlamaWeights.Layer a = hf.weights().layers().get(1);
                LlamaWeights.Layer b = gguf.weights().layers().get(1);
                assertThat(GgufReaderTest.read(b.wq())).isEqualTo(GgufReaderTest.read(a.wq()));
                assertThat(GgufReaderTest.read(b.bq())).isEqualTo(GgufReaderTest.read(a.bq()));
                assertThat(GgufReaderTest.read(b.bk())).isEqualTo(GgufReaderTest.read(a.bk()));
                assertThat(GgufReaderTest.read(b.bv())).isEqualTo(GgufReaderTest.read(a.bv()));
                assertThat(GgufReaderTest.read(gguf.weights().output())).isEqualTo(GgufReaderTest.read(hf.weights().output()));
                assertThat(gguf.weights().output()).isNotSameAs(gguf.weights().tokenEmbedding());
            }
        }
    }

    @Test
    void quantisedConversionFallsBackToF32ForRowsThatAreNotWholeBlocks() throws Exception {
        Path file = folder.resolve("llama-q8.gguf");
        try (LoadedModel hf = ModelLoader.load(HfModelsTest.LLAMA_F32)) {
            GgufConverter.convert(hf, TensorType.Q8_0, file);
        }
        try (LoadedModel gguf = ModelLoader.load(file)) {
            LlamaWeights.Layer layer = gguf.weights().layers().get(0);
            assertThat(layer.wq().type()).isEqualTo(TensorType.Q8_0);
            assertThat(layer.wGate().type()).isEqualTo(TensorType.Q8_0);
            assertThat(layer.wDown().type()).isEqualTo(TensorType.F32); // rows of 176 are not whole blocks of 32
            assertThat(gguf.weights().tokenEmbedding().type()).isEqualTo(TensorType.Q8_0);
            assertThat(layer.attentionNorm().type()).isEqualTo(TensorType.F32);
        }
    }

    /**
     * The point of the permutation: rotating adjacent pairs of the permuted projection gives the
     * permuted result of rotating half-split pairs of the original one, at every position.
     */
    @Test
    void interleavedRopeOnPermutedRowsEqualsHalfRopeOnOriginalRows() throws Exception {
        try (LoadedModel hf = ModelLoader.load(HfModelsTest.LLAMA_F32);
             LoadedModel gguf = ModelLoader.load(GgufReaderTest.FIXTURES.resolve("llama-tiny-f32.gguf"))) {
            int headDim = 16;
            float[] x = FloatTensorValues.gaussian(new Random(3), 64);
            float[] qHf = new float[64];
            float[] qGguf = new float[64];
            hf.weights().layers().get(0).wq().matmul(x, qHf, 64, 64);
            gguf.weights().layers().get(0).wq().matmul(x, qGguf, 64, 64);
            for (int position : new int[] {0, 1, 7, 100}) {
                float[] half = qHf.clone();
                float[] interleaved = qGguf.clone();
                for (int h = 0; h < 4; h++) {
                    for (int i = 0; i < headDim / 2; i++) {
                        double angle = position * Math.pow(500000, -2.0 * i / headDim);
                        rotate(half, h * headDim + i, h * headDim + i + headDim / 2, angle);
                        rotate(interleaved, h * headDim + 2 * i, h * headDim + 2 * i + 1, angle);
                    }
                }
                float[] expected = GgufConverter.permuteRows(half, 4, headDim, 1);
                for (int i = 0; i < 64; i++) {
                    assertThat(interleaved[i]).isCloseTo(expected[i], within(1e-5f));
                }
            }
        }
    }

    private static void rotate(float[] v, int a, int b, double angle) {
        float cos = (float) Math.cos(angle);
        float sin = (float) Math.sin(angle);
        float x = v[a];
        float y = v[b];
        v[a] = x * cos - y * sin;
        v[b] = x * sin + y * cos;
    }

    @Test
    void rejectsRowsThatAreNotWholeBlocks() {
        assertThatThrownBy(() -> new GgufWriter().addTensor("w", TensorType.Q4_K, new float[2 * 64], 2, 64))
                .hasMessageContaining("rows of 64 are not whole Q4_K blocks of 256");
    }

    @Test
    void rejectsFilesThatAreNotGgufOrAreTruncated() throws IOException {
        Path notGguf = folder.resolve("x.gguf");
        Files.writeString(notGguf, "definitely not a model file");
        assertThatThrownBy(() -> ModelLoader.load(notGguf)).hasMessageContaining("not a GGUF file");

        byte[] whole = Files.readAllBytes(GgufReaderTest.FIXTURES.resolve("quant-types.gguf"));
        Path truncated = folder.resolve("truncated.gguf");
        Files.write(truncated, java.util.Arrays.copyOf(whole, whole.length - 1000));
        assertThatThrownBy(() -> { try (Arena arena = Arena.ofConfined()) { Gguf.open(truncated, arena); } })
                .hasMessageContaining("extends past the end of the file");
        Files.write(truncated, java.util.Arrays.copyOf(whole, 200));
        assertThatThrownBy(() -> { try (Arena arena = Arena.ofConfined()) { Gguf.open(truncated, arena); } })
                .hasMessageContaining("past the end");
    }

    @Test
    void namesAnUnsupportedArchitecture() throws IOException {
        Path file = folder.resolve("gpt2.gguf");
        new GgufWriter().putString("general.architecture", "gpt2").write(file);
        assertThatThrownBy(() -> ModelLoader.load(file)).hasMessageContaining("general.architecture 'gpt2' is not supported");
    }

    @Test
    void rejectsPathsThatAreNeitherFolderNorGguf() {
        assertThatThrownBy(() -> ModelLoader.load(folder.resolve("model.bin"))).hasMessageContaining("neither");
    }
}
