package ai.ensemble.engine.tensor;

/**
 * Element encodings the engine reads. Quantised types store {@code blockSize} elements in
 * {@code blockBytes} bytes (GGML's layouts: Q8_0 = fp16 scale + 32 int8; Q4_0 = fp16 scale + 16 bytes
 * of 4-bit pairs; Q4_K = 256-element super-blocks).
 */
public enum TensorType {
    F32(1, 4),
    F16(1, 2),
    BF16(1, 2),
    Q8_0(32, 34),
    Q4_0(32, 18),
    Q4_K(256, 144);

    private final int blockSize;
    private final int blockBytes;

    TensorType(int blockSize, int blockBytes) {
        this.blockSize = blockSize;
        this.blockBytes = blockBytes;
    }

    public int blockSize() {
        return blockSize;
    }

    public int blockBytes() {
        return blockBytes;
    }

    /** Bytes taken by {@code elements} elements (a whole number of blocks). */
    public long bytesFor(long elements) {
        if (elements % blockSize != 0) {
            throw new IllegalArgumentException(this + " holds elements in blocks of " + blockSize + ", not " + elements);
        }
        return elements / blockSize * blockBytes;
    }
}
