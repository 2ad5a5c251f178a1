package ai.ensemble.engine.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link ArrayKernels} on the Vector API's preferred float shape. Loaded by name from
 * {@link ArrayKernels#choose} only when {@code jdk.incubator.vector} is present: this class links
 * against it.
 */
final class VectorArrayKernels implements ArrayKernels {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    @Override
    public float dot(float[] a, int aOffset, float[] b, int bOffset, int n) {
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

    @Override
    public void dot4(float[] w, float[][] x, int t0, int n, float[][] out, int column) {
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

    @Override
    public void addScaled(float a, float[] x, int xOffset, float[] y, int yOffset, int n) {
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

    @Override
    public void add(float[] x, float[] y, int n) {
        int i = 0;
        int upper = F.loopBound(n);
        for (; i < upper; i += F.length()) {
            FloatVector.fromArray(F, x, i).add(FloatVector.fromArray(F, y, i)).intoArray(y, i);
        }
        for (; i < n; i++) {
            y[i] += x[i];
        }
    }
}
