package ai.ensemble.engine.cuda;

import java.util.List;
import java.util.SplittableRandom;

import ai.ensemble.engine.cpu.Rope;
import ai.ensemble.engine.model.ModelConfig;
import ai.ensemble.engine.model.RopeScaling;
import ai.ensemble.engine.model.RopeStyle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each CUDA kernel against its Java CPU reference (the {@code reference} methods of the host
 * classes). Runs where a GPU is usable (CudaForward.isAvailable) and is skipped elsewhere.
 * Error: max |gpu − cpu| / max(1, max |cpu|); the bound is stated per kernel.
 */
@ExtendWith(RequiresGpu.class)
class CudaKernelsTest {

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

    @Test
    void embeddingGatherCopiesTheTokensRowExactly() {
        int vocab = 300;
        int dim = 200;
        short[] table = bf16(random(1, vocab * dim, 1f));
        DeviceBuffer tableBuffer = buffer(table);
        DeviceBuffer token = ints(new int[] {277});
        DeviceBuffer x = DeviceBuffer.allocate(4L * dim);
        new EmbeddingGather(context).launch(tableBuffer, token, x, dim);
        context.synchronize();
        assertThat(x.downloadFloats()).containsExactly(EmbeddingGather.reference(table, 277, dim));
        free(tableBuffer, token, x);
    }

    /** Float accumulation in another order than the double reference: 1e-5 suffices at K = 4096. */
    @ParameterizedTest(name = "rows {0}, k {1}, norm {2}, bias {3}")
    @CsvSource({"1000, 4096, true, true", "77, 64, false, false", "8, 14336, true, false", "3, 8, true, true"})
    void gemvWithFusedNormAndBiasMatchesReference(int rows, int k, boolean norm, boolean bias) {
        short[] w = bf16(random(2, rows * k, 0.05f));
        float[] x = random(3, k, 1f);
        float[] g = norm ? random(4, k, 1f) : null;
        float[] b = bias ? random(5, rows, 1f) : null;
        DeviceBuffer wb = buffer(w);
        DeviceBuffer xb = DeviceBuffer.ofFloats(x);
        DeviceBuffer gb = g == null ? null : DeviceBuffer.ofFloats(g);
        DeviceBuffer bb = b == null ? null : DeviceBuffer.ofFloats(b);
        DeviceBuffer out = DeviceBuffer.allocate(4L * rows);
        new Gemv(context).project(DeviceMatrix.bf16(wb, rows, k), xb, gb, 1e-5f, bb, out, rows, k);
        context.synchronize();
        assertThat(error(out.downloadFloats(), Gemv.reference(w, x, g, 1e-5f, b, rows, k))).isLessThan(1e-5);
        free(wb, xb, gb, bb, out);
    }

    @ParameterizedTest(name = "rows per warp {0}, k {1}")
    @CsvSource({"1, 2048", "2, 2048", "1, 8200", "2, 8"})
    void gemvResidualAddsTheProductToTheOutput(int rowsPerWarp, int k) {
        int rows = 515;
        boolean saved = Gemv.residualOneRowPerWarp;
        Gemv.residualOneRowPerWarp = rowsPerWarp == 1;
        short[] w = bf16(random(6, rows * k, 0.05f));
        float[] x = random(7, k, 1f);
        float[] residual = random(8, rows, 1f);
        DeviceBuffer wb = buffer(w);
        DeviceBuffer xb = DeviceBuffer.ofFloats(x);
        DeviceBuffer out = DeviceBuffer.ofFloats(residual);
        try {
            new Gemv(context).addProjection(DeviceMatrix.bf16(wb, rows, k), xb, out, rows, k);
        } finally {
            Gemv.residualOneRowPerWarp = saved;
        }
        context.synchronize();
        float[] expected = Gemv.reference(w, x, null, 0, residual, rows, k); // + bias == + residual
        assertThat(error(out.downloadFloats(), expected)).isLessThan(1e-5);
        free(wb, xb, out);
    }

    @Test
    void gemvSwigluMatchesReference() {
        int rows = 333;
        int k = 1024;
        short[] w = bf16(random(9, 2 * rows * k, 0.05f));
        float[] x = random(10, k, 1f);
        float[] g = random(11, k, 1f);
        DeviceBuffer wb = buffer(w);
        DeviceBuffer xb = DeviceBuffer.ofFloats(x);
        DeviceBuffer gb = DeviceBuffer.ofFloats(g);
        DeviceBuffer out = DeviceBuffer.allocate(4L * rows);
        new Gemv(context).swiglu(DeviceMatrix.bf16(wb, 2 * rows, k), xb, gb, 1e-5f, out, rows, k);
        context.synchronize();
        assertThat(error(out.downloadFloats(), Gemv.referenceSwiglu(w, x, g, 1e-5f, rows, k))).isLessThan(1e-5);
        free(wb, xb, gb, out);
    }

    /** cosf/sinf on the GPU are within 2 ulp of the CPU's correctly rounded values: 1e-5. */
    @ParameterizedTest(name = "headDim {0}, {1}, position {2}")
    @CsvSource({"16, HALF, 5", "128, HALF, 1234", "64, INTERLEAVED, 77", "128, INTERLEAVED, 4000"})
    void ropeRotatesQueryAndKeyAndWritesTheCacheRow(int headDim, RopeStyle style, int position) {
        int heads = 8;
        int kvHeads = 2;
        int capacity = position + 3;
        int kvDim = kvHeads * headDim;
        ModelConfig config = new ModelConfig("llama", heads * headDim, 64, 1, heads, kvHeads, headDim, 10, 8192, 1e-5f,
                500000f, new RopeScaling("llama3", 8f, 1f, 4f, 64), style, false, false, 1, List.of(2));
        float[] frequencies = Rope.inverseFrequencies(config, null);
        float[] qkv = random(12, (heads + 2 * kvHeads) * headDim, 1f);
        DeviceBuffer qkvBuffer = DeviceBuffer.ofFloats(qkv);
        DeviceBuffer frequencyBuffer = DeviceBuffer.ofFloats(frequencies);
        DeviceBuffer positionBuffer = ints(new int[] {position});
        DeviceBuffer keys = DeviceBuffer.allocate(4L * capacity * kvDim);
        DeviceBuffer values = DeviceBuffer.allocate(4L * capacity * kvDim);
        keys.zero();
        values.zero();
        new RopeKvWrite(context).launch(qkvBuffer, frequencyBuffer, positionBuffer, keys, values, heads, kvHeads, headDim,
                style == RopeStyle.INTERLEAVED);
        context.synchronize();
        float[] expectedKeys = new float[capacity * kvDim];
        float[] expectedValues = new float[capacity * kvDim];
        RopeKvWrite.reference(qkv, frequencies, position, expectedKeys, expectedValues, heads, kvHeads, headDim,
                style == RopeStyle.INTERLEAVED);
        assertThat(error(qkvBuffer.downloadFloats(), qkv)).as("q and k").isLessThan(1e-5);
        assertThat(error(keys.downloadFloats(), expectedKeys)).as("key cache").isLessThan(1e-5);
        assertThat(values.downloadFloats()).as("value cache").isEqualTo(expectedValues); // containsExactly is quadratic
        free(qkvBuffer, frequencyBuffer, positionBuffer, keys, values);
    }

    /**
     * The decode qkv GEMV with RoPE and the KV write in its epilogue, on pair-ordered weights, against
     * the GEMV reference followed by the rope reference on the original order: 2e-5.
     */
    @ParameterizedTest(name = "headDim {0}, {1}, position {2}, bias {3}")
    @CsvSource({"64, HALF, 5, false", "128, HALF, 300, true", "16, INTERLEAVED, 77, true"})
    void qkvGemvWithFusedRopeMatchesGemvThenRope(int headDim, RopeStyle style, int position, boolean bias) {
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
        short[] w = bf16(random(21, rows * k, 0.05f));
        float[] x = random(22, k, 1f);
        float[] g = random(23, k, 1f);
        float[] b = bias ? random(24, rows, 0.5f) : null;
        float[] qkv = Gemv.reference(w, x, g, 1e-5f, b, rows, k);
        float[] expectedKeys = new float[capacity * kvDim];
        float[] expectedValues = new float[capacity * kvDim];
        RopeKvWrite.reference(qkv, frequencies, position, expectedKeys, expectedValues, heads, kvHeads, headDim,
                style == RopeStyle.INTERLEAVED);
        short[] ordered = new short[w.length];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(w, DeviceWeights.sourceRow(config, r) * k, ordered, r * k, k);
        }
        DeviceBuffer wBuffer = buffer(ordered);
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
        new Gemv(context).qkvRope(DeviceMatrix.bf16(wBuffer, rows, k), xBuffer, gBuffer, 1e-5f, bBuffer, q, rows, k, frequencyBuffer, positionBuffer,
                keys, values, heads, kvHeads, headDim, style == RopeStyle.INTERLEAVED);
        context.synchronize();
        assertThat(error(q.downloadFloats(), java.util.Arrays.copyOf(qkv, queryDim))).as("q").isLessThan(2e-5);
        assertThat(error(keys.downloadFloats(), expectedKeys)).as("key cache").isLessThan(2e-5);
        assertThat(error(values.downloadFloats(), expectedValues)).as("value cache").isLessThan(2e-5);
        free(wBuffer, xBuffer, gBuffer, bBuffer, q, frequencyBuffer, positionBuffer, keys, values);
    }

    /** Online softmax in float against the two-pass double reference: 1e-5. */
    @ParameterizedTest(name = "heads {0}/{1}, headDim {2}, position {3}")
    @CsvSource({"8, 2, 64, 0", "8, 2, 64, 37", "32, 8, 64, 1500", "32, 8, 128, 300", "8, 4, 96, 700", "4, 2, 16, 11", "4, 4, 256, 5", "4, 2, 160, 260"})
    void attentionMatchesReference(int heads, int kvHeads, int headDim, int position) {
        int capacity = position + 1;
        int kvDim = kvHeads * headDim;
        float[] q = random(13, heads * headDim, 1f);
        float[] keys = random(14, capacity * kvDim, 1f);
        float[] values = random(15, capacity * kvDim, 1f);
        DeviceBuffer qb = DeviceBuffer.ofFloats(q);
        DeviceBuffer kb = DeviceBuffer.ofFloats(keys);
        DeviceBuffer vb = DeviceBuffer.ofFloats(values);
        DeviceBuffer pb = ints(new int[] {position});
        DeviceBuffer out = DeviceBuffer.allocate(4L * heads * headDim);
        new AttentionDecode(context).launch(qb, kb, vb, pb, out, heads, kvHeads, headDim);
        context.synchronize();
        float[] expected = AttentionDecode.reference(q, keys, values, position, heads, kvHeads, headDim);
        assertThat(error(out.downloadFloats(), expected)).isLessThan(1e-5);
        free(qb, kb, vb, pb, out);
    }

    @Test
    void argmaxPicksTheLowestIndexOfTheLargestLogitAndAdvancesThePosition() {
        float[] logits = random(16, 128256, 10f);
        logits[90001] = 50f;
        logits[70001] = 50f; // a tie: the lower index wins
        DeviceBuffer lb = DeviceBuffer.ofFloats(logits);
        DeviceBuffer token = ints(new int[] {-1});
        DeviceBuffer position = ints(new int[] {41});
        try (Argmax argmax = new Argmax(context, logits.length)) {
            argmax.launch(lb, logits.length, token, position);
            context.synchronize();
            int[] chosen = new int[1];
            int[] next = new int[1];
            token.download(chosen);
            position.download(next);
            assertThat(chosen[0]).isEqualTo(Argmax.reference(logits)).isEqualTo(70001);
            assertThat(next[0]).isEqualTo(42);
            // again on other logits (the blocks' counter must have been reset), all negative, the best in the last, partial block
            float[] negative = random(17, logits.length, 10f);
            for (int i = 0; i < negative.length; i++) {
                negative[i] = -Math.abs(negative[i]) - 1f;
            }
            negative[negative.length - 1] = -0.5f;
            lb.upload(negative);
            argmax.launch(lb, negative.length, token, position);
            context.synchronize();
            token.download(chosen);
            position.download(next);
            assertThat(chosen[0]).isEqualTo(Argmax.reference(negative)).isEqualTo(negative.length - 1);
            assertThat(next[0]).isEqualTo(43);
            // a small n: one block
            argmax.launch(lb, 300, token, position);
            context.synchronize();
            token.download(chosen);
            assertThat(chosen[0]).isEqualTo(Argmax.reference(java.util.Arrays.copyOf(negative, 300)));
        }
        free(lb, token, position);
    }

    @Test
    void argmaxOfEachRowLeavesPositionsAloneWhenNoneAreGiven() {
        int n = 32000;
        int rows = 5;
        float[] logits = random(18, rows * n, 10f);
        int[] expected = new int[rows];
        for (int r = 0; r < rows; r++) {
            int best = (r * 7919) % n;
            logits[r * n + best] = 40f + r;
            expected[r] = Argmax.reference(java.util.Arrays.copyOfRange(logits, r * n, (r + 1) * n));
            assertThat(expected[r]).isEqualTo(best);
        }
        DeviceBuffer lb = DeviceBuffer.ofFloats(logits);
        DeviceBuffer tokens = ints(new int[rows]);
        try (Argmax argmax = new Argmax(context, n, 8)) {
            for (int round = 0; round < 2; round++) { // twice: every row's counter must have been reset
                argmax.launchRows(lb, n, rows, tokens, null);
                context.synchronize();
                int[] chosen = new int[rows];
                tokens.download(chosen);
                assertThat(chosen).containsExactly(expected);
            }
        }
        free(lb, tokens);
    }

    /** The fallback GEMM against the double reference, with partial tiles in m, n and k, and accumulation. */
    @ParameterizedTest(name = "m {0}, n {1}, k {2}, accumulate {3}")
    @CsvSource({"64, 64, 32, false", "200, 37, 136, true", "515, 1, 2048, true", "96, 130, 8, false"})
    void tensorCoreGemmMatchesReference(int m, int n, int k, boolean accumulate) {
        short[] w = bf16(random(19, m * k, 0.5f));
        short[] x = bf16(random(20, n * k, 1f));
        float[] c = random(21, n * m, 1f);
        DeviceBuffer wb = buffer(w);
        DeviceBuffer xb = buffer(x);
        DeviceBuffer cb = DeviceBuffer.ofFloats(c);
        try (TensorCoreGemm gemm = new TensorCoreGemm(context)) {
            gemm.matmulRowMajor(wb, xb, cb, m, n, k, accumulate);
            context.synchronize();
        }
        // f32 accumulation of exact bf16 products, in another order than the double reference
        assertThat(error(cb.downloadFloats(), TensorCoreGemm.reference(w, x, c, m, n, k, accumulate))).isLessThan(1e-5);
        free(wb, xb, cb);
    }

    /** With ldc: the GEMM of W's rows [40, 140) writes columns [40, 140) of a C 300 wide and nothing else. */
    @Test
    void tensorCoreGemmWritesAColumnRangeOfAWiderOutput() {
        int m = 300;
        int n = 19;
        int k = 64;
        short[] w = bf16(random(22, m * k, 0.5f));
        short[] x = bf16(random(23, n * k, 1f));
        float[] c = random(24, n * m, 1f);
        DeviceBuffer wb = buffer(w);
        DeviceBuffer xb = buffer(x);
        DeviceBuffer cb = DeviceBuffer.ofFloats(c);
        try (TensorCoreGemm gemm = new TensorCoreGemm(context)) {
            gemm.matmulRowMajor(wb.slice(2L * 40 * k, 2L * 100 * k), xb, cb.slice(4L * 40, cb.bytes() - 4L * 40), 100, n, k, m, true);
            context.synchronize();
        }
        float[] all = TensorCoreGemm.reference(w, x, c, m, n, k, true);
        float[] expected = c.clone();
        for (int i = 0; i < n; i++) {
            System.arraycopy(all, i * m + 40, expected, i * m + 40, 100);
        }
        assertThat(error(cb.downloadFloats(), expected)).isLessThan(1e-5);
        free(wb, xb, cb);
    }

    static double error(float[] actual, float[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        double scale = 1;
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            scale = Math.max(scale, Math.abs(expected[i]));
            worst = Math.max(worst, Math.abs((double) actual[i] - expected[i]));
        }
        return worst / scale;
    }

    private static float[] random(long seed, int n, float amplitude) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextDouble(-amplitude, amplitude);
        }
        return values;
    }

    private static short[] bf16(float[] values) {
        short[] bits = new short[values.length];
        for (int i = 0; i < values.length; i++) {
            bits[i] = Bf16.fromFloat(values[i]);
        }
        return bits;
    }

    private static DeviceBuffer buffer(short[] bits) {
        DeviceBuffer buffer = DeviceBuffer.allocate(2L * bits.length);
        buffer.upload(bits);
        return buffer;
    }

    static DeviceBuffer ints(int[] values) {
        DeviceBuffer buffer = DeviceBuffer.allocate(4L * values.length);
        buffer.upload(values);
        return buffer;
    }

    static void free(DeviceBuffer... buffers) {
        for (DeviceBuffer buffer : buffers) {
            if (buffer != null) {
                buffer.free();
            }
        }
    }
}
