package ai.ensemble.engine.cpu;

/** {@link ArrayKernels} in plain Java; dots keep four partial sums so that additions overlap. */
final class ScalarArrayKernels implements ArrayKernels {

    @Override
    public float dot(float[] a, int aOffset, float[] b, int bOffset, int n) {
        float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
        int i = 0;
        for (; i + 4 <= n; i += 4) {
            int p = aOffset + i;
            int q = bOffset + i;
            s0 += a[p] * b[q];
            s1 += a[p + 1] * b[q + 1];
            s2 += a[p + 2] * b[q + 2];
            s3 += a[p + 3] * b[q + 3];
        }
        for (; i < n; i++) {
            s0 += a[aOffset + i] * b[bOffset + i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    @Override
    public void dot4(float[] w, float[][] x, int t0, int n, float[][] out, int column) {
        float[] x0 = x[t0];
        float[] x1 = x[t0 + 1];
        float[] x2 = x[t0 + 2];
        float[] x3 = x[t0 + 3];
        float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
        for (int i = 0; i < n; i++) {
            float weight = w[i];
            s0 += weight * x0[i];
            s1 += weight * x1[i];
            s2 += weight * x2[i];
            s3 += weight * x3[i];
        }
        out[t0][column] = s0;
        out[t0 + 1][column] = s1;
        out[t0 + 2][column] = s2;
        out[t0 + 3][column] = s3;
    }

    @Override
    public void addScaled(float a, float[] x, int xOffset, float[] y, int yOffset, int n) {
        for (int i = 0; i < n; i++) {
            y[yOffset + i] += a * x[xOffset + i];
        }
    }

    @Override
    public void add(float[] x, float[] y, int n) {
        for (int i = 0; i < n; i++) {
            y[i] += x[i];
        }
    }
}
