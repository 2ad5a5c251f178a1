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

    protected final MemorySegment segment; // raw blocks, type().bytesFor(size) bytes
    protected final long size;             // elements

    protected MappedTensor(MemorySegment segment, long size) {
        long expected = type().bytesFor(size);
        if (segment.byteSize() != expected) {
            throw new IllegalArgumentException(type() + " tensor of " + size + " elements needs " + expected
                    + " bytes, segment has " + segment.byteSize());
        }
        this.segment = segment;
        this.size = size;
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
