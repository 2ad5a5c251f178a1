package ai.ensemble.engine.cpu;

import ai.ensemble.engine.tensor.Kernels;

/**
 * The element-wise kernels of the forward pass. Dots, weighted sums and additions run on the
 * {@link ArrayKernels} chosen with the tensor {@link Kernels} (vector or scalar); norms, softmax and
 * SwiGLU, a small share of the time, are plain Java.
 */
final class VectorMath {

    private static final ArrayKernels KERNELS = ArrayKernels.choose(Kernels.vectorised());

    private VectorMath() {
    }

    /** Σ a[aOffset + i] · b[bOffset + i] for i in [0, n). */
    static float dot(float[] a, int aOffset, float[] b, int bOffset, int n) {
        return KERNELS.dot(a, aOffset, b, bOffset, n);
    }

    /** out[t][column] = Σ w[i] · x[t][i] for the four tokens t in [t0, t0 + 4); see {@link ArrayKernels#dot4}. */
    static void dot4(float[] w, float[][] x, int t0, int n, float[][] out, int column) {
        KERNELS.dot4(w, x, t0, n, out, column);
    }

    /** y[yOffset + i] += a · x[xOffset + i] for i in [0, n). */
    static void addScaled(float a, float[] x, int xOffset, float[] y, int yOffset, int n) {
        KERNELS.addScaled(a, x, xOffset, y, yOffset, n);
    }

    /** y[i] += x[i] for i in [0, n). */
    static void add(float[] x, float[] y, int n) {
        KERNELS.add(x, y, n);
    }

    /**
     * out = x / sqrt(mean(x²) + eps) · weight, as Hugging Face's {@code LlamaRMSNorm} (the mean in
     * float; here accumulated in double, which only removes rounding).
     */
    static void rmsNorm(float[] out, float[] x, float[] weight, float eps) {
        int n = x.length;
        double sumOfSquares = 0;
        for (int i = 0; i < n; i++) {
            sumOfSquares += x[i] * x[i];
        }
        float scale = (float) (1.0 / Math.sqrt(sumOfSquares / n + eps));
        for (int i = 0; i < n; i++) {
            out[i] = weight[i] * (scale * x[i]);
        }
    }

    /** Softmax of x[offset, offset + n) in place, shifted by the maximum for range. */
    static void softmax(float[] x, int offset, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, x[offset + i]);
        }
        float sum = 0f;
        for (int i = 0; i < n; i++) {
            float e = (float) Math.exp(x[offset + i] - max);
            x[offset + i] = e;
            sum += e;
        }
        float inverse = 1f / sum;
        for (int i = 0; i < n; i++) {
            x[offset + i] *= inverse;
        }
    }

    /** gate[i] = silu(gate[i]) · up[i], silu(g) = g · sigmoid(g): SwiGLU's gating. */
    static void swiglu(float[] gate, float[] up, int n) {
        for (int i = 0; i < n; i++) {
            float g = gate[i];
            gate[i] = g / (1f + (float) Math.exp(-g)) * up[i];
        }
    }
}
