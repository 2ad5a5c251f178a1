package ai.ensemble.engine.cpu;

import ai.ensemble.engine.tensor.Kernels;

/**
 * The float-array loops of the forward pass: attention's dots and weighted sums, the batched
 * matmul's rows, residual additions. Like the tensor {@link Kernels}, two implementations, and the
 * vector one ({@code VectorArrayKernels}, which links against {@code jdk.incubator.vector}) is loaded
 * by name only when the tensor kernels chose vectors, so that the two always agree.
 */
interface ArrayKernels {

    /** Σ a[aOffset + i] · b[bOffset + i] for i in [0, n). */
    float dot(float[] a, int aOffset, float[] b, int bOffset, int n);

    /**
     * out[t][column] = Σ w[i] · x[t][i] for i in [0, n) and the four tokens t in [t0, t0 + 4): each
     * load of w serves four multiply-adds, which is what makes a batched prefill faster than one
     * token at a time.
     */
    void dot4(float[] w, float[][] x, int t0, int n, float[][] out, int column);

    /** y[yOffset + i] += a · x[xOffset + i] for i in [0, n). */
    void addScaled(float a, float[] x, int xOffset, float[] y, int yOffset, int n);

    /** y[i] += x[i] for i in [0, n). */
    void add(float[] x, float[] y, int n);

    static ArrayKernels choose(boolean vectorised) {
        if (vectorised) {
            try {
                return (ArrayKernels) Class.forName("ai.ensemble.engine.cpu.VectorArrayKernels").getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException | LinkageError e) {
                System.getLogger(ArrayKernels.class.getName()).log(System.Logger.Level.WARNING,
                        "CPU vector kernels failed to load, running scalar ones: {0}", e.toString());
            }
        }
        return new ScalarArrayKernels();
    }
}
