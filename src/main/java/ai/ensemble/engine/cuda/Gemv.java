package ai.ensemble.engine.cuda;

import jcuda.driver.CUfunction;

/**
 * Host side of src/main/cuda/gemv.cu, the decode matmul (BF16 weights, f32 activations) with the
 * input's RMSNorm and the consumer's step (bias, residual add, SwiGLU) fused in.
 */
final class Gemv {

    /** WARPS · ROWS of gemv.cu: output rows per block. */
    static final int ROWS_PER_BLOCK = 8;
    private static final int THREADS = 128;

    private final CudaContext context;
    private final CUfunction store;
    private final CUfunction residual;
    private final CUfunction residualOneRow;
    /**
     * The residual GEMVs (wo, w_down) with one row per warp (twice the warps in flight) instead of two;
     * read when a decode graph is captured. CudaBench times both.
     */
    static volatile boolean residualOneRowPerWarp = true;
    private final CUfunction swiglu;
    private final CUfunction qkvRope;

    Gemv(CudaContext context) {
        this.context = context;
        this.store = context.function("gemv", "gemv_bf16");
        this.residual = context.function("gemv", "gemv_bf16_residual");
        this.residualOneRow = context.function("gemv", "gemv_bf16_residual_r1");
        this.swiglu = context.function("gemv", "gemv_bf16_swiglu");
        this.qkvRope = context.function("gemv", "gemv_bf16_qkv_rope");
    }

    /** out (rows) = W (rows, k) · rmsnorm(x, norm) + bias; norm and bias may be null. */
    void project(DeviceBuffer w, DeviceBuffer x, DeviceBuffer norm, float eps, DeviceBuffer bias, DeviceBuffer out, int rows, int k) {
        checkK(k);
        context.launch(store, blocks(rows), THREADS, w, x, norm, eps, bias, out, rows, k);
    }

    /** out (rows) += W (rows, k) · x: the residual add of wo and w_down. */
    void addProjection(DeviceBuffer w, DeviceBuffer x, DeviceBuffer out, int rows, int k) {
        checkK(k);
        if (residualOneRowPerWarp) {
            context.launch(residualOneRow, (rows + THREADS / 32 - 1) / (THREADS / 32), THREADS, w, x, out, rows, k);
        } else {
            context.launch(residual, blocks(rows), THREADS, w, x, out, rows, k);
        }
    }

    /** out (rows) = silu(G · n) · (U · n), n = rmsnorm(x, norm), W = [G; U] of (2 · rows, k). */
    void swiglu(DeviceBuffer w, DeviceBuffer x, DeviceBuffer norm, float eps, DeviceBuffer out, int rows, int k) {
        checkK(k);
        context.launch(swiglu, blocks(rows), THREADS, w, x, norm, eps, out, rows, k);
    }

    /**
     * The decode qkv projection with RoPE and the KV write fused: W pair-ordered (DeviceWeights),
     * rotated q (heads · headDim, original order) to {@code q}, rotated k and v to row position[0]
     * of the caches (capacity, kvHeads · headDim). Same result as {@link #project} then
     * {@link RopeKvWrite} on the original row order.
     */
    void qkvRope(DeviceBuffer w, DeviceBuffer x, DeviceBuffer norm, float eps, DeviceBuffer bias, DeviceBuffer q,
                 int rows, int k, DeviceBuffer inverseFrequencies, DeviceBuffer position, DeviceBuffer keyCache,
                 DeviceBuffer valueCache, int heads, int kvHeads, int headDim, boolean interleaved) {
        checkK(k);
        if (headDim % 2 != 0 || rows != (heads + 2 * kvHeads) * headDim) {
            throw new IllegalArgumentException("qkv rows " + rows + " do not match heads " + heads + ", kvHeads " + kvHeads + ", headDim " + headDim);
        }
        context.launch(qkvRope, blocks(rows), THREADS, w, x, norm, eps, bias, q, rows, k, inverseFrequencies, position,
                keyCache, valueCache, heads, kvHeads, headDim, interleaved ? 1 : 0);
    }

    private static int blocks(int rows) {
        return (rows + ROWS_PER_BLOCK - 1) / ROWS_PER_BLOCK;
    }

    private static void checkK(int k) {
        if (k % 8 != 0) {
            throw new IllegalArgumentException("the GEMV reads rows in 16-byte pieces: k must be a multiple of 8, got " + k);
        }
    }

    /** CPU reference of {@link #project} (bf16 bits in w), in double. */
    static float[] reference(short[] w, float[] x, float[] norm, float eps, float[] bias, int rows, int k) {
        float[] input = normalised(x, norm, eps);
        float[] out = new float[rows];
        for (int r = 0; r < rows; r++) {
            out[r] = (float) (dot(w, r, input, k) + (bias == null ? 0 : bias[r]));
        }
        return out;
    }

    /** CPU reference of {@link #swiglu}: w holds (2 · rows, k) bf16 bits, gate rows first. */
    static float[] referenceSwiglu(short[] w, float[] x, float[] norm, float eps, int rows, int k) {
        float[] input = normalised(x, norm, eps);
        float[] out = new float[rows];
        for (int r = 0; r < rows; r++) {
            double gate = dot(w, r, input, k);
            double up = dot(w, rows + r, input, k);
            out[r] = (float) (gate / (1 + Math.exp(-gate)) * up);
        }
        return out;
    }

    private static float[] normalised(float[] x, float[] norm, float eps) {
        if (norm == null) {
            return x;
        }
        double sumOfSquares = 0;
        for (float v : x) {
            sumOfSquares += (double) v * v;
        }
        double scale = 1 / Math.sqrt(sumOfSquares / x.length + eps);
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = (float) (x[i] * scale * norm[i]);
        }
        return out;
    }

    private static double dot(short[] w, int row, float[] x, int k) {
        double sum = 0;
        for (int i = 0; i < k; i++) {
            sum += (double) Bf16.toFloat(w[row * k + i]) * x[i];
        }
        return sum;
    }
}
