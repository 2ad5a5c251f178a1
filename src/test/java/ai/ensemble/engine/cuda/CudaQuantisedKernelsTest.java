package ai.ensemble.engine.cuda;

import java.util.Arrays;
import java.util.List;

import ai.ensemble.engine.cpu.Rope;
import ai.ensemble.engine.model.ModelConfig;
import ai.ensemble.engine.model.RopeScaling;
import ai.ensemble.engine.model.RopeStyle;
import ai.ensemble.engine.tensor.FloatTensor;
import ai.ensemble.engine.tensor.MappedTensor;
import ai.ensemble.engine.tensor.TensorType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import static ai.ensemble.engine.cuda.CudaKernelsTest.error;
import static ai.ensemble.engine.cuda.DeviceMatrixTest.decoded;
import static ai.ensemble.engine.cuda.DeviceMatrixTest.random;
import static ai.ensemble.engine.cuda.DeviceMatrixTest.tensor;
import static ai.ensemble.engine.cuda.CudaKernelsTest.free;
import static ai.ensemble.engine.cuda.CudaKernelsTest.ints;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The F16, F32 and Q8_0 kernels (gemv.cu, gemv_q8.cu, dequant.cu) against Java CPU references on the
 * weights decoded as the CPU engine decodes them ({@link FloatTensor#copyTo}: Q8_0 = f16 scale · int8
 * in f32). The matrices go through {@link DeviceMatrix#upload}, the Q8_0 repack included. GEMVs:
 * error max |gpu − cpu| / max(1, max |cpu|) against a double reference, 1e-5 (float accumulation in
 * another order, as for BF16; 2e-5 with the RoPE epilogue); dequantisation and gathers: bit for bit.
 * Runs where a GPU is usable and is skipped elsewhere.
 */
@ExtendWith(RequiresGpu.class)
class CudaQuantisedKernelsTest {

    private static CudaContext context;

    @BeforeAll
    static void openGpu() {
        context = CudaContext.open(0);
    }

    @AfterAll
    static void closeGpu() {
        if (context != null) {
            context.close();
        }
    }

    private static DeviceMatrix upload(MappedTensor tensor, int rows, int cols) {
        return DeviceMatrix.upload(tensor.type(), rows, cols, List.of(tensor), null);
    }

    @ParameterizedTest(name = "{0}: rows {1}, k {2}, norm {3}, bias {4}")
    @CsvSource({"Q8_0, 1000, 4096, true, true", "Q8_0, 77, 64, false, false", "Q8_0, 8, 14336, true, false", "Q8_0, 3, 32, true, true",
            "Q8_0, 515, 2080, false, true",
            "F16, 1000, 4096, true, true", "F16, 77, 72, false, false", "F16, 3, 8, true, true",
            "F32, 1000, 4096, true, true", "F32, 77, 68, false, false", "F32, 3, 4, true, true"})
    void gemvWithFusedNormAndBiasMatchesReference(TensorType type, int rows, int k, boolean norm, boolean bias) {
        MappedTensor w = tensor(type, random(2, rows * k, 0.05f));
        float[] x = random(3, k, 1f);
        float[] g = norm ? random(4, k, 1f) : null;
        float[] b = bias ? random(5, rows, 1f) : null;
        DeviceMatrix wm = upload(w, rows, k);
        DeviceBuffer xb = DeviceBuffer.ofFloats(x);
        DeviceBuffer gb = g == null ? null : DeviceBuffer.ofFloats(g);
        DeviceBuffer bb = b == null ? null : DeviceBuffer.ofFloats(b);
        DeviceBuffer out = DeviceBuffer.allocate(4L * rows);
        new Gemv(context).project(wm, xb, gb, 1e-5f, bb, out, rows, k);
        context.synchronize();
        double e = error(out.downloadFloats(), Gemv.reference(decoded(w), x, g, 1e-5f, b, rows, k));
        System.out.printf("gemv %s %d x %d norm %b bias %b: relative error %.2e%n", type, rows, k, norm, bias, e);
        assertThat(e).isLessThan(1e-5);
        free(wm.buffer(), xb, gb, bb, out);
    }

    /** Both residual variants (two rows per warp, one row per warp), odd row counts included. */
    @ParameterizedTest(name = "{0}: rows {1}, k {2}")
    @CsvSource({"Q8_0, 515, 2048", "Q8_0, 7, 8192", "F16, 515, 2048", "F32, 515, 2048", "F32, 9, 12"})
    void gemvResidualAddsTheProductToTheOutput(TensorType type, int rows, int k) {
        MappedTensor w = tensor(type, random(6, rows * k, 0.05f));
        float[] x = random(7, k, 1f);
        float[] residual = random(8, rows, 1f);
        float[] expected = Gemv.reference(decoded(w), x, null, 0, residual, rows, k); // + bias == + residual
        DeviceMatrix wm = upload(w, rows, k);
        DeviceBuffer xb = DeviceBuffer.ofFloats(x);
        boolean saved = Gemv.residualOneRowPerWarp;
        try {
            for (boolean oneRow : new boolean[] {false, true}) {
                Gemv.residualOneRowPerWarp = oneRow;
                DeviceBuffer out = DeviceBuffer.ofFloats(residual);
                new Gemv(context).addProjection(wm, xb, out, rows, k);
                context.synchronize();
                assertThat(error(out.downloadFloats(), expected)).as("one row per warp: %b", oneRow).isLessThan(1e-5);
                out.free();
            }
        } finally {
            Gemv.residualOneRowPerWarp = saved;
        }
        free(wm.buffer(), xb);
    }

    @ParameterizedTest(name = "{0}: rows {1}, k {2}")
    @CsvSource({"Q8_0, 333, 1024", "Q8_0, 5, 4096", "F16, 333, 1024", "F32, 333, 1024"})
    void gemvSwigluMatchesReference(TensorType type, int rows, int k) {
        MappedTensor w = tensor(type, random(9, 2 * rows * k, 0.05f));
        float[] x = random(10, k, 1f);
        float[] g = random(11, k, 1f);
        DeviceMatrix wm = upload(w, 2 * rows, k);
        DeviceBuffer xb = DeviceBuffer.ofFloats(x);
        DeviceBuffer gb = DeviceBuffer.ofFloats(g);
        DeviceBuffer out = DeviceBuffer.allocate(4L * rows);
        new Gemv(context).swiglu(wm, xb, gb, 1e-5f, out, rows, k);
        context.synchronize();
        assertThat(error(out.downloadFloats(), Gemv.referenceSwiglu(decoded(w), x, g, 1e-5f, rows, k))).isLessThan(1e-5);
        free(wm.buffer(), xb, gb, out);
    }

    /**
     * The qkv GEMV with RoPE and the KV write in its epilogue, on q/k/v stacked and pair-ordered by
     * DeviceMatrix.upload (whole Q8_0 rows moved), against the GEMV reference on the original order
     * followed by the rope reference: 2e-5, as for BF16.
     */
    @ParameterizedTest(name = "{0}: headDim {1}, {2}, position {3}, bias {4}")
    @CsvSource({"Q8_0, 64, HALF, 5, false", "Q8_0, 128, HALF, 300, true", "Q8_0, 16, INTERLEAVED, 77, true",
            "F16, 64, HALF, 5, true", "F32, 16, INTERLEAVED, 77, false"})
    void qkvGemvWithFusedRopeMatchesGemvThenRope(TensorType type, int headDim, RopeStyle style, int position, boolean bias) {
        int heads = 8;
        int kvHeads = 2;
        int k = 256;
        int capacity = position + 2;
        int queryDim = heads * headDim;
        int kvDim = kvHeads * headDim;
        int rows = queryDim + 2 * kvDim;
        ModelConfig config = new ModelConfig("llama", k, 64, 1, heads, kvHeads, headDim, 10, 8192, 1e-5f,
                500000f, new RopeScaling("llama3", 8f, 1f, 4f, 64), style, false, bias, 1, List.of(2));
        float[] frequencies = Rope.inverseFrequencies(config, null);
        MappedTensor wq = tensor(type, random(21, queryDim * k, 0.05f));
        MappedTensor wk = tensor(type, random(25, kvDim * k, 0.05f));
        MappedTensor wv = tensor(type, random(26, kvDim * k, 0.05f));
        float[] w = new float[rows * k];
        System.arraycopy(decoded(wq), 0, w, 0, queryDim * k);
        System.arraycopy(decoded(wk), 0, w, queryDim * k, kvDim * k);
        System.arraycopy(decoded(wv), 0, w, (queryDim + kvDim) * k, kvDim * k);
        float[] x = random(22, k, 1f);
        float[] g = random(23, k, 1f);
        float[] b = bias ? random(24, rows, 0.5f) : null;
        float[] qkv = Gemv.reference(w, x, g, 1e-5f, b, rows, k);
        float[] expectedKeys = new float[capacity * kvDim];
        float[] expectedValues = new float[capacity * kvDim];
        RopeKvWrite.reference(qkv, frequencies, position, expectedKeys, expectedValues, heads, kvHeads, headDim,
                style == RopeStyle.INTERLEAVED);
        DeviceMatrix wm = DeviceMatrix.upload(type, rows, k, List.of(wq, wk, wv), r -> DeviceWeights.sourceRow(config, r));
        DeviceBuffer xBuffer = DeviceBuffer.ofFloats(x);
        DeviceBuffer gBuffer = DeviceBuffer.ofFloats(g);
        DeviceBuffer bBuffer = bias ? DeviceBuffer.ofFloats(DeviceWeights.pairOrdered(config, b)) : null;
        DeviceBuffer q = DeviceBuffer.allocate(4L * queryDim);
        DeviceBuffer frequencyBuffer = DeviceBuffer.ofFloats(frequencies);
        DeviceBuffer positionBuffer = ints(new int[] {position});
        DeviceBuffer keys = DeviceBuffer.allocate(4L * capacity * kvDim);
        DeviceBuffer values = DeviceBuffer.allocate(4L * capacity * kvDim);
        keys.zero();
        values.zero();
        new Gemv(context).qkvRope(wm, xBuffer, gBuffer, 1e-5f, bBuffer, q, rows, k, frequencyBuffer, positionBuffer,
                keys, values, heads, kvHeads, headDim, style == RopeStyle.INTERLEAVED);
        context.synchronize();
        assertThat(error(q.downloadFloats(), Arrays.copyOf(qkv, queryDim))).as("q").isLessThan(2e-5);
        assertThat(error(keys.downloadFloats(), expectedKeys)).as("key cache").isLessThan(2e-5);
        assertThat(error(values.downloadFloats(), expectedValues)).as("value cache").isLessThan(2e-5);
        free(wm.buffer(), xBuffer, gBuffer, bBuffer, q, frequencyBuffer, positionBuffer, keys, values);
    }

    /** hi = bf16(w), lo = bf16(w − hi) bit for bit, for a whole matrix and for a range of rows, with and without lo. */
    @ParameterizedTest
    @EnumSource(value = TensorType.class, names = {"Q8_0", "F16", "F32"})
    void dequantisationIsBitExact(TensorType type) {
        int rows = 37;
        int k = 96;
        float[] source = random(30, rows * k, 0.7f);
        source[5] = 0f;
        for (int i = 32; i < 64; i++) {
            source[i] *= 1e-3f; // F16: subnormals; Q8_0: a block whose scale (~5e-6) is an f16 subnormal
        }
        MappedTensor w = tensor(type, source);
        float[] values = decoded(w);
        DeviceMatrix wm = upload(w, rows, k);
        try (MatrixKernels kernels = new MatrixKernels(context, null, 0, MatrixKernels.SCRATCH_ELEMENTS, 0)) {
            for (int[] range : new int[][] {{0, rows}, {11, 9}}) {
                int first = range[0];
                int count = range[1];
                DeviceBuffer hi = DeviceBuffer.allocate(2L * count * k);
                DeviceBuffer lo = DeviceBuffer.allocate(2L * count * k);
                kernels.dense(wm, first, count, hi, lo);
                context.synchronize();
                short[][] expected = MatrixKernels.referenceSplit(Arrays.copyOfRange(values, first * k, (first + count) * k));
                assertThat(shorts(hi, count * k)).as("hi of rows from %d", first).isEqualTo(expected[0]);
                assertThat(shorts(lo, count * k)).as("lo of rows from %d", first).isEqualTo(expected[1]);
                hi.zero();
                kernels.dense(wm, first, count, hi, null);
                context.synchronize();
                assertThat(shorts(hi, count * k)).as("hi without lo").isEqualTo(expected[0]);
                free(hi, lo);
            }
            // hi + lo keeps the weight to 2^-16 of its size (exactly for F16)
            short[][] split = MatrixKernels.referenceSplit(values);
            for (int i = 0; i < values.length; i++) {
                double kept = (double) Bf16.toFloat(split[0][i]) + Bf16.toFloat(split[1][i]);
                assertThat(Math.abs(kept - values[i])).isLessThanOrEqualTo(type == TensorType.F16 ? 0 : Math.abs(values[i]) * 0x1p-16);
            }
        }
        free(wm.buffer());
    }

    @ParameterizedTest
    @EnumSource(value = TensorType.class, names = {"Q8_0", "F16", "F32", "BF16"})
    void embeddingGathersCopyRowsExactly(TensorType type) {
        int vocab = 300;
        int dim = 224;
        MappedTensor table = tensor(type, random(31, vocab * dim, 1f));
        float[] values = decoded(table);
        DeviceMatrix tm = upload(table, vocab, dim);
        int[] tokens = {277, 0, 299, 5};
        DeviceBuffer tokenBuffer = ints(tokens);
        DeviceBuffer x = DeviceBuffer.allocate(4L * tokens.length * dim);
        try (MatrixKernels kernels = new MatrixKernels(context, null, 0, MatrixKernels.SCRATCH_ELEMENTS, 0)) {
            kernels.gatherRows(tm, tokenBuffer, x, tokens.length);
            context.synchronize();
            float[] got = x.downloadFloats();
            for (int t = 0; t < tokens.length; t++) {
                assertThat(Arrays.copyOfRange(got, t * dim, (t + 1) * dim)).as("row %d", tokens[t])
                        .isEqualTo(Arrays.copyOfRange(values, tokens[t] * dim, (tokens[t] + 1) * dim));
            }
        }
        DeviceBuffer one = DeviceBuffer.allocate(4L * dim);
        new EmbeddingGather(context).launch(tm, tokenBuffer.slice(8, 4), one, dim); // the decode step's gather: token 299
        context.synchronize();
        assertThat(one.downloadFloats()).isEqualTo(Arrays.copyOfRange(values, 299 * dim, 300 * dim));
        free(tm.buffer(), tokenBuffer, x, one);
    }

    /**
     * MatrixKernels.matmul, out (n, m) (+)= (hi + lo) (n, k) · Wᵀ, for every type against a double
     * reference on the decoded weights and the exact activations hi + lo: n ≤ 4 through the decode GEMVs,
     * larger n and every n with the GEMV path off through dequantisation in pieces of 96 rows (300 rows:
     * three whole pieces and a partial one, each writing its columns of out), with and without accumulation.
     * Bound per output: 1e-4 · Σ|w||x| with lo (f32 sums; BF16 hi + lo of the weight, 2^-16 of each),
     * 2^-7 · Σ|w||x| without (the weight rounded to BF16 once in the GEMM path).
     */
    @ParameterizedTest
    @EnumSource(value = TensorType.class, names = {"Q8_0", "F16", "F32", "BF16"})
    void matmulOfEveryTypeMatchesTheReferenceInBothPaths(TensorType type) {
        int m = 300;
        int k = 256;
        MappedTensor w = tensor(type, random(40, m * k, 0.05f));
        float[] weights = decoded(w);
        DeviceMatrix wm = upload(w, m, k);
        long piece = 100L * k;
        boolean saved = MatrixKernels.smallBatchGemv;
        try (Cublas cublas = Cublas.open(context.stream());
             MatrixKernels kernels = new MatrixKernels(context, cublas, MatrixKernels.pieceRows(m, k, piece) * (long) k, piece, k)) {
            assertThat(MatrixKernels.pieceRows(m, k, piece)).isEqualTo(96);
            for (int n : new int[] {1, 3, 4, 5, 40}) {
                for (boolean gemvPath : new boolean[] {true, false}) {
                    for (boolean split : new boolean[] {true, false}) {
                        for (boolean accumulate : new boolean[] {false, true}) {
                            MatrixKernels.smallBatchGemv = gemvPath;
                            float[] x = random(41 + n, n * k, 1f);
                            short[][] pair = MatrixKernels.referenceSplit(x);
                            float[] initial = accumulate ? random(42 + n, n * m, 1f) : new float[n * m];
                            DeviceBuffer hi = shortBuffer(pair[0]);
                            DeviceBuffer lo = split ? shortBuffer(pair[1]) : null;
                            DeviceBuffer out = DeviceBuffer.ofFloats(initial);
                            kernels.matmul(wm, m, k, hi, lo, out, n, accumulate);
                            context.synchronize();
                            float[] got = out.downloadFloats();
                            for (int row = 0; row < n; row++) {
                                for (int r = 0; r < m; r++) {
                                    double sum = 0;
                                    double magnitude = 0;
                                    for (int c = 0; c < k; c++) {
                                        double xv = (double) Bf16.toFloat(pair[0][row * k + c]) + (split ? Bf16.toFloat(pair[1][row * k + c]) : 0);
                                        sum += weights[r * k + c] * xv;
                                        magnitude += Math.abs(weights[r * k + c] * xv);
                                    }
                                    double expected = initial[row * m + r] + sum;
                                    double bound = (split ? 1e-4 : 0x1p-7) * magnitude + 1e-6 * Math.abs(expected);
                                    assertThat(Math.abs(got[row * m + r] - expected))
                                            .as("%s n %d row %d col %d, gemv path %b, split %b, accumulate %b", type, n, row, r, gemvPath, split, accumulate)
                                            .isLessThanOrEqualTo(bound);
                                }
                            }
                            free(hi, lo, out);
                        }
                    }
                }
            }
        } finally {
            MatrixKernels.smallBatchGemv = saved;
        }
        free(wm.buffer());
    }

    private static DeviceBuffer shortBuffer(short[] values) {
        DeviceBuffer buffer = DeviceBuffer.allocate(2L * values.length);
        buffer.upload(values);
        return buffer;
    }

    private static short[] shorts(DeviceBuffer buffer, int n) {
        float[] words = new float[(n + 1) / 2];
        buffer.slice(0, 4L * words.length).download(words);
        short[] out = new short[n];
        for (int i = 0; i < n; i++) {
            int bits = Float.floatToRawIntBits(words[i / 2]);
            out[i] = (short) ((i & 1) == 0 ? bits : bits >>> 16);
        }
        return out;
    }


}
