package ai.ensemble.engine.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;
import java.util.SplittableRandom;

import ai.ensemble.engine.demo.DemoModel;
import ai.ensemble.engine.model.ModelConfig;
import ai.ensemble.engine.model.RopeScaling;
import ai.ensemble.engine.model.RopeStyle;
import ai.ensemble.engine.tensor.ArrayFloatTensor;
import ai.ensemble.engine.tensor.FloatTensor;
import ai.ensemble.engine.tensor.MappedTensor;
import ai.ensemble.engine.tensor.Quantization;
import ai.ensemble.engine.tensor.TensorType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Runs on any machine: the host side of the device weight layouts (no GPU involved). The Q8_0 repack
 * (quants then scales), the qkv pair-ordering of whole Q8_0 rows, conversions to F32 for mixed parts,
 * shape checks, and the stored-bytes accounting of the roofline.
 */
class DeviceMatrixTest {

    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    static MappedTensor tensor(TensorType type, float[] values) {
        byte[] bytes = Quantization.encode(type, values);
        MemorySegment segment = Arena.ofAuto().allocate(bytes.length, 16);
        MemorySegment.copy(bytes, 0, segment, ValueLayout.JAVA_BYTE, 0, bytes.length);
        return MappedTensor.of(type, segment, values.length);
    }

    static float[] random(long seed, int n, float amplitude) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextDouble(-amplitude, amplitude);
        }
        return values;
    }

    static float[] decoded(FloatTensor tensor) {
        float[] values = new float[Math.toIntExact(tensor.size())];
        tensor.copyTo(0, values, 0, values.length);
        return values;
    }

    @Test
    void q8RepackPutsTheQuantsOfEachRowFirstAndTheScalesAfterAndDecodesAsTheCpuDoes() {
        int rows = 5;
        int cols = 96; // 3 blocks a row
        MappedTensor q8 = tensor(TensorType.Q8_0, random(1, rows * cols, 0.3f));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment layout = DeviceMatrix.layout(TensorType.Q8_0, rows, cols, List.of(q8), null, arena);
            assertThat(layout.byteSize()).isEqualTo(rows * cols / 32 * 34L).isEqualTo(DeviceMatrix.bytes(TensorType.Q8_0, rows, cols));
            MemorySegment file = q8.segment();
            for (int r = 0; r < rows; r++) {
                for (int b = 0; b < cols / 32; b++) {
                    long block = ((long) r * cols / 32 + b) * 34;
                    assertThat(layout.get(SHORT, (long) rows * cols + 2L * (r * cols / 32 + b))).as("scale of row %d block %d", r, b)
                            .isEqualTo(file.get(SHORT, block));
                    for (int j = 0; j < 32; j++) {
                        assertThat(layout.get(ValueLayout.JAVA_BYTE, (long) r * cols + 32L * b + j))
                                .isEqualTo(file.get(ValueLayout.JAVA_BYTE, block + 2 + j));
                    }
                }
            }
            assertThat(DeviceMatrix.decode(TensorType.Q8_0, rows, cols, layout)).containsExactly(decoded(q8));
        }
    }

    @ParameterizedTest
    @EnumSource(value = TensorType.class, names = {"BF16", "F16", "F32", "Q8_0"})
    void stackedPartsKeepTheirBytesInEveryType(TensorType type) {
        int cols = 64;
        MappedTensor gate = tensor(type, random(2, 3 * cols, 1f));
        MappedTensor up = tensor(type, random(3, 4 * cols, 1f));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment layout = DeviceMatrix.layout(type, 7, cols, List.of(gate, up), null, arena);
            float[] expected = new float[7 * cols];
            System.arraycopy(decoded(gate), 0, expected, 0, 3 * cols);
            System.arraycopy(decoded(up), 0, expected, 3 * cols, 4 * cols);
            assertThat(DeviceMatrix.decode(type, 7, cols, layout)).containsExactly(expected);
        }
    }

    /** The pair-ordering of qkv moves whole Q8_0 rows (cols/32 blocks with their scales): row r is stacked row sourceRow(r). */
    @ParameterizedTest
    @EnumSource(value = RopeStyle.class)
    void pairOrderedQkvMovesWholeQ8Rows(RopeStyle style) {
        int heads = 4;
        int kvHeads = 2;
        int headDim = 16;
        int dim = 64;
        ModelConfig config = new ModelConfig("llama", dim, 128, 1, heads, kvHeads, headDim, 10, 256, 1e-5f,
                10000f, null, style, false, false, 1, List.of(2));
        MappedTensor wq = tensor(TensorType.Q8_0, random(4, heads * headDim * dim, 0.5f));
        MappedTensor wk = tensor(TensorType.Q8_0, random(5, kvHeads * headDim * dim, 0.5f));
        MappedTensor wv = tensor(TensorType.Q8_0, random(6, kvHeads * headDim * dim, 0.5f));
        int rows = (heads + 2 * kvHeads) * headDim;
        float[] stacked = new float[rows * dim];
        System.arraycopy(decoded(wq), 0, stacked, 0, heads * headDim * dim);
        System.arraycopy(decoded(wk), 0, stacked, heads * headDim * dim, kvHeads * headDim * dim);
        System.arraycopy(decoded(wv), 0, stacked, (heads + kvHeads) * headDim * dim, kvHeads * headDim * dim);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment layout = DeviceMatrix.layout(TensorType.Q8_0, rows, dim, List.of(wq, wk, wv),
                    r -> DeviceWeights.sourceRow(config, r), arena);
            float[] device = DeviceMatrix.decode(TensorType.Q8_0, rows, dim, layout);
            for (int r = 0; r < rows; r++) {
                int source = DeviceWeights.sourceRow(config, r);
                for (int c = 0; c < dim; c++) {
                    assertThat(device[r * dim + c]).as("row %d (source %d) col %d", r, source, c).isEqualTo(stacked[source * dim + c]);
                }
            }
            // the permutation is one: every source row is used once
            assertThat(java.util.stream.IntStream.range(0, rows).map(r -> DeviceWeights.sourceRow(config, r)).sorted().toArray())
                    .containsExactly(java.util.stream.IntStream.range(0, rows).toArray());
        }
    }

    @Test
    void partsOfDifferentTypesAreStackedAsExactF32() {
        int cols = 64;
        FloatTensor q8 = tensor(TensorType.Q8_0, random(7, 2 * cols, 1f));
        FloatTensor heap = new ArrayFloatTensor(random(8, 3 * cols, 1f));
        FloatTensor f16 = tensor(TensorType.F16, random(9, cols, 1f));
        List<FloatTensor> parts = List.of(q8, heap, f16);
        assertThat(DeviceMatrix.typeOf("w", parts)).isEqualTo(TensorType.F32);
        assertThat(DeviceMatrix.typeOf("w", List.of(q8, q8))).isEqualTo(TensorType.Q8_0);
        assertThat(DeviceMatrix.typeOf("w", List.of(heap))).isEqualTo(TensorType.F32);
        try (Arena arena = Arena.ofConfined()) {
            float[] device = DeviceMatrix.decode(TensorType.F32, 6, cols, DeviceMatrix.layout(TensorType.F32, 6, cols, parts, null, arena));
            float[] expected = new float[6 * cols];
            System.arraycopy(decoded(q8), 0, expected, 0, 2 * cols);
            System.arraycopy(decoded(heap), 0, expected, 2 * cols, 3 * cols);
            System.arraycopy(decoded(f16), 0, expected, 5 * cols, cols);
            assertThat(device).containsExactly(expected);
        }
    }

    @Test
    void unsupportedTypesAndShapesAreRefusedWithTheReason() {
        FloatTensor q4 = tensor(TensorType.Q4_K, random(10, 256, 1f));
        assertThatThrownBy(() -> DeviceMatrix.typeOf("blk.0.ffn_down", List.of(q4)))
                .hasMessageContaining("BF16, F16, F32 and Q8_0").hasMessageContaining("blk.0.ffn_down").hasMessageContaining("Q4_K");
        assertThatThrownBy(() -> DeviceMatrix.checkShape(TensorType.Q8_0, 4, 48)).hasMessageContaining("multiple of 32");
        assertThatThrownBy(() -> DeviceMatrix.checkShape(TensorType.BF16, 4, 12)).hasMessageContaining("multiple of 8");
        DeviceMatrix.checkShape(TensorType.F32, 4, 12);
        assertThat(new DeviceMatrix(null, TensorType.Q8_0, 3, 64).bytes()).isEqualTo(3 * 2 * 34);
    }

    /** BF16: the formula the benchmarks always used; Q8_0: the same with 34 bytes per 32 matrix weights. */
    @Test
    void bytesPerTokenCountsStoredBytes() {
        for (ModelConfig config : List.of(CudaBench.llama32_1b(), CudaBench.llama31_8b(), DemoModel.config())) {
            long dim = config.dim();
            long queryDim = (long) config.heads() * config.headDim();
            long qkvRows = (config.heads() + 2L * config.kvHeads()) * config.headDim();
            long matrices = qkvRows * dim + dim * queryDim + 3L * config.hiddenDim() * dim;
            long vectors = 2 * dim + (config.attentionBias() ? qkvRows : 0);
            long bf16 = config.layers() * (2 * matrices + 4 * vectors) + 2L * config.vocabSize() * dim + 2 * dim + 4 * dim;
            assertThat(DeviceWeights.bytesPerToken(config, TensorType.BF16)).isEqualTo(bf16);
            long q8 = config.layers() * (matrices / 32 * 34 + 4 * vectors) + config.vocabSize() * dim / 32 * 34 + dim / 32 * 34 + 4 * dim;
            assertThat(DeviceWeights.bytesPerToken(config, TensorType.Q8_0)).isEqualTo(q8);
        }
        ModelConfig small = new ModelConfig("llama", 64, 96, 2, 4, 2, 16, 100, 256, 1e-5f, 10000f,
                new RopeScaling("llama3", 8f, 1f, 4f, 64), RopeStyle.HALF, true, true, 1, List.of(2));
        assertThat(DeviceWeights.bytesPerToken(small, TensorType.Q8_0)).isLessThan(DeviceWeights.bytesPerToken(small, TensorType.BF16));
    }

    @Test
    void largeMatricesAreDecodedInPiecesOfWholeRows() {
        assertThat(MatrixKernels.pieceRows(1000, 4096)).isEqualTo(1000);
        int piece = MatrixKernels.pieceRows(128256, 4096);
        assertThat((long) piece * 4096).isLessThanOrEqualTo(MatrixKernels.SCRATCH_ELEMENTS);
        assertThat(piece % 16).isZero();
        assertThat(piece).isEqualTo(8192);
        assertThat(MatrixKernels.pieceRows(10, 1 << 26)).isEqualTo(1);
    }
}
