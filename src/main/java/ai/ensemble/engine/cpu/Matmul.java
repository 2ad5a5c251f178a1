package ai.ensemble.engine.cpu;

import java.util.stream.IntStream;

import ai.ensemble.engine.tensor.FloatTensor;
import ai.ensemble.engine.tensor.TensorType;

/** Matrix times a batch of vectors, rows split across cores. */
final class Matmul {

    /**
     * Multiply-adds below which a matmul runs on the calling thread: handing work to other cores costs
     * some microseconds, more than a small model's matrices take (the demo model's are 65k).
     */
    static final long PARALLEL_THRESHOLD = 1 << 18;

    private static final ThreadLocal<float[]> ROW = ThreadLocal.withInitial(() -> new float[0]);

    private Matmul() {
    }

    /**
     * out[t][r] = Σ_c w[r, c] · in[t][c], rows in parallel; each weight row is read once for all
     * tokens while it sits in cache. One token goes to the tensor's own matmul (weights streamed once,
     * decoded in registers). Several F32 tokens copy each row into a per-thread buffer and multiply it
     * with four tokens at a time, so that one load of a weight serves four multiply-adds.
     */
    static void multiply(FloatTensor w, float[][] in, float[][] out, int rows, int cols) {
        int n = in.length;
        if ((long) rows * cols * n < PARALLEL_THRESHOLD) {
            for (int r = 0; r < rows; r++) {
                for (int t = 0; t < n; t++) {
                    out[t][r] = w.dot((long) r * cols, in[t], 0, cols);
                }
            }
            return;
        }
        if (n == 1) {
            w.matmul(in[0], out[0], rows, cols);
            return;
        }
        if (w.type() != TensorType.F32) {
            // Until the quantised tensors decode rows with vectors (their copyTo is element by element),
            // their own fused dot per token is faster than decoding each row once.
            IntStream.range(0, rows).parallel().forEach(r -> {
                for (int t = 0; t < n; t++) {
                    out[t][r] = w.dot((long) r * cols, in[t], 0, cols);
                }
            });
            return;
        }
        IntStream.range(0, rows).parallel().forEach(r -> {
            float[] row = rowBuffer(cols); // (cols)
            w.copyTo((long) r * cols, row, 0, cols);
            int t = 0;
            for (; t + 4 <= n; t += 4) {
                VectorMath.dot4(row, in, t, cols, out, r);
            }
            for (; t < n; t++) {
                out[t][r] = VectorMath.dot(row, 0, in[t], 0, cols);
            }
        });
    }

    private static float[] rowBuffer(int length) {
        float[] row = ROW.get();
        if (row.length < length) {
            row = new float[length];
            ROW.set(row);
        }
        return row;
    }
}
