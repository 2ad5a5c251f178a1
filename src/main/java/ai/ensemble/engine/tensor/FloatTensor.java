package ai.ensemble.engine.tensor;

import java.util.stream.IntStream;

/**
 * A read-only tensor of floats in any {@link TensorType}, addressed by flat element index
 * (row-major: a (rows, cols) matrix has element (r, c) at r * cols + c). Implementations read
 * straight from the memory-mapped file; nothing is copied onto the heap.
 */
public abstract class FloatTensor {

    public abstract TensorType type();

    /** Number of elements. */
    public abstract long size();

    public abstract float getFloat(long index);

    /** Σ this[offset + i] · x[xOffset + i] for i in [0, n); offset and n are multiples of the block size. */
    public abstract float dot(long offset, float[] x, int xOffset, int n);

    /** Decodes n elements starting at offset into out[outOffset ...]. */
    public void copyTo(long offset, float[] out, int outOffset, int n) {
        for (int i = 0; i < n; i++) {
            out[outOffset + i] = getFloat(offset + i);
        }
    }

    /** out[r] = Σ_c this[r, c] · x[c] for a (rows, cols) matrix, rows split across cores. */
    public void matmul(float[] x, float[] out, int rows, int cols) {
        IntStream.range(0, rows).parallel().forEach(r -> out[r] = dot((long) r * cols, x, 0, cols));
    }
}
