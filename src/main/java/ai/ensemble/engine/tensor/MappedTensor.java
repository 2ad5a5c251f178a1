package ai.ensemble.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A tensor whose bytes live in a {@link MemorySegment} (usually a slice of a memory-mapped model
 * file), little-endian, in one of the {@link TensorType} layouts. The segment is exposed so that a
 * GPU backend can copy the raw blocks to the device as they are.
 */
public abstract class MappedTensor extends FloatTensor {

    static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);

    /** The kernels every mapped tensor runs; a constant, so the JIT binds each call to one implementation. */
    static final Kernels KERNELS = Kernels.active();

    protected final MemorySegment segment; // raw blocks, type().bytesFor(size) bytes
    protected final long size;             // elements
    private final int blockSize;           // elements per block (1 for the float types)
    private final int blockBytes;

    protected MappedTensor(MemorySegment segment, long size) {
        long expected = type().bytesFor(size);
        if (segment.byteSize() != expected) {
            throw new IllegalArgumentException(type() + " tensor of " + size + " elements needs " + expected
                    + " bytes, segment has " + segment.byteSize());
        }
        this.segment = segment;
        this.size = size;
        this.blockSize = type().blockSize();
        this.blockBytes = type().blockBytes();
    }

    /** Wraps {@code size} elements of {@code type} stored in {@code segment} (exactly {@code type.bytesFor(size)} bytes). */
    public static MappedTensor of(TensorType type, MemorySegment segment, long size) {
        return switch (type) {
            case F32 -> new F32Tensor(segment, size);
            case F16 -> new F16Tensor(segment, size);
            case BF16 -> new BF16Tensor(segment, size);
            case Q8_0 -> new Q8_0Tensor(segment, size);
            case Q4_0 -> new Q4_0Tensor(segment, size);
            case Q4_K -> new Q4_KTensor(segment, size);
        };
    }

    public MemorySegment segment() {
        return segment;
    }

    @Override
    public long size() {
        return size;
    }

    /**
     * Whole blocks go to the kernel; elements before the first block boundary and after the last
     * (which callers, reading whole rows, do not ask for) are read one at a time.
     */
    @Override
    public final float dot(long offset, float[] x, int xOffset, int n) {
        checkRange(offset, n);
        int head = (int) Math.min(n, Math.floorMod(-offset, blockSize));
        int blocks = (n - head) / blockSize;
        int done = head + blocks * blockSize;
        return dotByElement(offset, x, xOffset, head)
                + dotBlocks((offset + head) / blockSize * blockBytes, x, xOffset + head, blocks)
                + dotByElement(offset + done, x, xOffset + done, n - done);
    }

    @Override
    public final void copyTo(long offset, float[] out, int outOffset, int n) {
        checkRange(offset, n);
        int head = (int) Math.min(n, Math.floorMod(-offset, blockSize));
        int blocks = (n - head) / blockSize;
        int done = head + blocks * blockSize;
        super.copyTo(offset, out, outOffset, head);
        copyBlocks((offset + head) / blockSize * blockBytes, out, outOffset + head, blocks);
        super.copyTo(offset + done, out, outOffset + done, n - done);
    }

    /** Σ over {@code blocks} whole blocks starting at {@code byteOffset} against x[xOffset ...]. */
    abstract float dotBlocks(long byteOffset, float[] x, int xOffset, int blocks);

    /** Decodes {@code blocks} whole blocks starting at {@code byteOffset} into out[outOffset ...]. */
    abstract void copyBlocks(long byteOffset, float[] out, int outOffset, int blocks);

    private float dotByElement(long offset, float[] x, int xOffset, int n) {
        float result = 0f;
        for (int i = 0; i < n; i++) {
            result += getFloat(offset + i) * x[xOffset + i];
        }
        return result;
    }

    final float half(long byteOffset) {
        return Float.float16ToFloat(segment.get(SHORT, byteOffset));
    }

    final void checkRange(long offset, int n) {
        if (offset < 0 || n < 0 || offset + n > size) {
            throw new IndexOutOfBoundsException("elements [" + offset + ", " + (offset + n) + ") of a tensor of " + size);
        }
    }

    @Override
    public String toString() {
        return type() + "[" + size + "]";
    }
}
