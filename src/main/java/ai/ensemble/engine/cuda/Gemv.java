package ai.ensemble.engine.cuda;

import java.util.EnumMap;
import java.util.Map;

import ai.ensemble.engine.tensor.TensorType;
import jcuda.driver.CUfunction;

/**
 * Host side of src/main/cuda/gemv.cu (BF16, F16, F32 weights) and gemv_q8.cu (Q8_0), the decode
 * matmul with f32 activations and the input's RMSNorm and the consumer's step (bias, residual add,
 * SwiGLU, RoPE + KV write) fused in; the kernel is chosen by the {@link DeviceMatrix}'s type.
 */
final class Gemv {

    /** WARPS · ROWS of gemv.cu: output rows per block. */
    static final int ROWS_PER_BLOCK = 8;
    private static final int THREADS = 128;

    /** The five kernels of one weight type. */
    private record Kernels(CUfunction store, CUfunction residual, CUfunction residualOneRow, CUfunction swiglu, CUfunction qkvRope) {
        static Kernels of(CudaContext context, String op, String prefix) {
            return new Kernels(context.function(op, prefix), context.function(op, prefix + "_residual"),
                    context.function(op, prefix + "_residual_r1"), context.function(op, prefix + "_swiglu"),
                    context.function(op, prefix + "_qkv_rope"));
        }
    }

    private final CudaContext context;
    private final Map<TensorType, Kernels> kernels = new EnumMap<>(TensorType.class);
    /**
     * The residual GEMVs (wo, w_down) of BF16, F16 and F32 matrices with one row per warp (twice the
     * warps in flight) instead of two; read when a decode graph is captured. CudaBench times both.
     * Q8_0 keeps two rows per warp: on an H200 one row measured slower (1B shapes 1,064 against
     * 1,139 tok/s, 8B 224 against 248).
     */
    static volatile boolean residualOneRowPerWarp = true;

    Gemv(CudaContext context) {
        this.context = context;
        kernels.put(TensorType.BF16, Kernels.of(context, "gemv", "gemv_bf16"));
        kernels.put(TensorType.F16, Kernels.of(context, "gemv", "gemv_f16"));
        kernels.put(TensorType.F32, Kernels.of(context, "gemv", "gemv_f32"));
        kernels.put(TensorType.Q8_0, Kernels.of(context, "gemv_q8", "gemv_q8_0"));
    }

    /** out (rows) = W (rows, k) · rmsnorm(x, norm) + bias; norm and bias may be null. */
    void project(DeviceMatrix w, DeviceBuffer x, DeviceBuffer norm, float eps, DeviceBuffer bias, DeviceBuffer out, int rows, int k) {
        check(w, rows, k);
        launch(kernels.get(w.type()).store(), blocks(rows), w, x, norm, eps, bias, out, rows, k);
    }

    /** out (rows) += W (rows, k) · x: the residual add of wo and w_down. */
    void addProjection(DeviceMatrix w, DeviceBuffer x, DeviceBuffer out, int rows, int k) {
        check(w, rows, k);
        Kernels of = kernels.get(w.type());
        if (residualOneRowPerWarp && w.type() != TensorType.Q8_0) {
            launch(of.residualOneRow(), (rows + THREADS / 32 - 1) / (THREADS / 32), w, x, out, rows, k);
        } else {
            launch(of.residual(), blocks(rows), w, x, out, rows, k);
        }
    }

    /** out (rows) = silu(G · n) · (U · n), n = rmsnorm(x, norm), W = [G; U] of (2 · rows, k). */
    void swiglu(DeviceMatrix w, DeviceBuffer x, DeviceBuffer norm, float eps, DeviceBuffer out, int rows, int k) {
        check(w, 2 * rows, k);
        launch(kernels.get(w.type()).swiglu(), blocks(rows), w, x, norm, eps, out, rows, k);
    }

    /**
     * The decode qkv projection with RoPE and the KV write fused: W pair-ordered (DeviceWeights),
     * rotated q (heads · headDim, original order) to {@code q}, rotated k and v to row position[0]
     * of the caches (capacity, kvHeads · headDim). Same result as {@link #project} then
     * {@link RopeKvWrite} on the original row order.
     */
    void qkvRope(DeviceMatrix w, DeviceBuffer x, DeviceBuffer norm, float eps, DeviceBuffer bias, DeviceBuffer q,
                 int rows, int k, DeviceBuffer inverseFrequencies, DeviceBuffer position, DeviceBuffer keyCache,
                 DeviceBuffer valueCache, int heads, int kvHeads, int headDim, boolean interleaved) {
        check(w, rows, k);
        if (headDim % 2 != 0 || rows != (heads + 2 * kvHeads) * headDim) {
            throw new IllegalArgumentException("qkv rows " + rows + " do not match heads " + heads + ", kvHeads " + kvHeads + ", headDim " + headDim);
        }
        launch(kernels.get(w.type()).qkvRope(), blocks(rows), w, x, norm, eps, bias, q, rows, k, inverseFrequencies, position,
                keyCache, valueCache, heads, kvHeads, headDim, interleaved ? 1 : 0);
    }

    /** Launches with W's pointers first: the matrix, or for Q8_0 its quants and its scales. */
    private void launch(CUfunction function, int grid, DeviceMatrix w, Object... rest) {
        boolean q8 = w.type() == TensorType.Q8_0;
        Object[] arguments = new Object[rest.length + (q8 ? 2 : 1)];
        if (q8) {
            arguments[0] = w.quants();
            arguments[1] = w.scales();
        } else {
            arguments[0] = w.buffer();
        }
        System.arraycopy(rest, 0, arguments, q8 ? 2 : 1, rest.length);
        context.launch(function, grid, THREADS, arguments);
    }

    private static int blocks(int rows) {
        return (rows + ROWS_PER_BLOCK - 1) / ROWS_PER_BLOCK;
    }

    private static void check(DeviceMatrix w, int rows, int k) {
        if (w.rows() != rows || w.cols() != k) {
            throw new IllegalArgumentException("a GEMV of " + rows + " × " + k + " was given a matrix of " + w.rows() + " × " + w.cols());
        }
        if (k % DeviceMatrix.multipleOfCols(w.type()) != 0) { // DeviceMatrix checks this too
            throw new IllegalArgumentException("the " + w.type() + " GEMV reads rows in 16-byte pieces (whole blocks): k must be a multiple of "
                    + DeviceMatrix.multipleOfCols(w.type()) + ", got " + k);
        }
    }

    /** CPU reference of {@link #project} (bf16 bits in w), in double. */
    static float[] reference(short[] w, float[] x, float[] norm, float eps, float[] bias, int rows, int k) {
        return reference(bf16Values(w), x, norm, eps, bias, rows, k);
    }

    /** CPU reference of {@link #swiglu} (bf16 bits in w). */
    static float[] referenceSwiglu(short[] w, float[] x, float[] norm, float eps, int rows, int k) {
        return referenceSwiglu(bf16Values(w), x, norm, eps, rows, k);
    }

    private static float[] bf16Values(short[] w) {
        float[] values = new float[w.length];
        for (int i = 0; i < w.length; i++) {
            values[i] = Bf16.toFloat(w[i]);
        }
        return values;
    }

    /** CPU reference of {@link #project} on decoded weights w (rows, k), in double. */
    static float[] reference(float[] w, float[] x, float[] norm, float eps, float[] bias, int rows, int k) {
        float[] input = normalised(x, norm, eps);
        float[] out = new float[rows];
        for (int r = 0; r < rows; r++) {
            out[r] = (float) (dot(w, r, input, k) + (bias == null ? 0 : bias[r]));
        }
        return out;
    }

    /** CPU reference of {@link #swiglu}: w holds (2 · rows, k) decoded weights, gate rows first. */
    static float[] referenceSwiglu(float[] w, float[] x, float[] norm, float eps, int rows, int k) {
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

    private static double dot(float[] w, int row, float[] x, int k) {
        double sum = 0;
        for (int i = 0; i < k; i++) {
            sum += (double) w[row * k + i] * x[i];
        }
        return sum;
    }
}
