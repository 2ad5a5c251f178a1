package ai.ensemble.engine.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** The element-wise kernels of the forward pass, on the Vector API's preferred float shape. */
final class VectorMath {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private VectorMath() {
    }

    /** Σ a[aOffset + i] · b[bOffset + i] for i in [0, n). */
    static float dot(float[] a, int aOffset, float[] b, int bOffset, int n) {
        int i = 0;
        float sum = 0f;
        int upper = F.loopBound(n);
        if (upper > 0) {
            FloatVector acc = FloatVector.zero(F);
            for (; i < upper; i += F.length()) {
                acc = FloatVector.fromArray(F, a, aOffset + i).fma(FloatVector.fromArray(F, b, bOffset + i), acc);
            }
            sum = acc.reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {
            sum += a[aOffset + i] * b[bOffset + i];
        }
        return sum;
    }

    /**
     * out[t][column] = Σ w[i] · x[t][i] for the four tokens t in [t0, t0 + 4): each load of w
     * serves four multiply-adds, which is what makes a batched prefill faster than one token at a time.
     */
    static void dot4(float[] w, float[][] x, int t0, int n, float[][] out, int column) {
        float[] x0 = x[t0];
        float[] x1 = x[t0 + 1];
        float[] x2 = x[t0 + 2];
        float[] x3 = x[t0 + 3];
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F);
        FloatVector a3 = FloatVector.zero(F);
        int i = 0;
        int upper = F.loopBound(n);
        for (; i < upper; i += F.length()) {
            FloatVector weight = FloatVector.fromArray(F, w, i);
            a0 = weight.fma(FloatVector.fromArray(F, x0, i), a0);
            a1 = weight.fma(FloatVector.fromArray(F, x1, i), a1);
            a2 = weight.fma(FloatVector.fromArray(F, x2, i), a2);
            a3 = weight.fma(FloatVector.fromArray(F, x3, i), a3);
        }
        float s0 = a0.reduceLanes(VectorOperators.ADD);
        float s1 = a1.reduceLanes(VectorOperators.ADD);
        float s2 = a2.reduceLanes(VectorOperators.ADD);
        float s3 = a3.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            s0 += w[i] * x0[i];
            s1 += w[i] * x1[i];
            s2 += w[i] * x2[i];
            s3 += w[i] * x3[i];
        }
        out[t0][column] = s0;
        out[t0 + 1][column] = s1;
        out[t0 + 2][column] = s2;
        out[t0 + 3][column] = s3;
    }

    /** y[yOffset + i] += a · x[xOffset + i] for i in [0, n). */
    static void addScaled(float a, float[] x, int xOffset, float[] y, int yOffset, int n) {
        int i = 0;
        int upper = F.loopBound(n);
        FloatVector scale = FloatVector.broadcast(F, a);
        for (; i < upper; i += F.length()) {
            FloatVector.fromArray(F, x, xOffset + i).fma(scale, FloatVector.fromArray(F, y, yOffset + i))
                    .intoArray(y, yOffset + i);
        }
        for (; i < n; i++) {
            y[yOffset + i] += a * x[xOffset + i];
        }
    }

    /** y[i] += x[i] for i in [0, n). */
    static void add(float[] x, float[] y, int n) {
        int i = 0;
        int upper = F.loopBound(n);
        for (; i < upper; i += F.length()) {
            FloatVector.fromArray(F, x, i).add(FloatVector.fromArray(F, y, i)).intoArray(y, i);
        }
        for (; i < n; i++) {
            y[i] += x[i];
        }
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
