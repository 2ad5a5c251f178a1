package ai.ensemble.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * GGML Q4_K: super-blocks of 256 elements in 144 bytes: fp16 d, fp16 dmin, 12 bytes packing eight
 * 6-bit (scale, min) pairs, and 128 bytes of nibbles. Sub-block s (32 elements) has value
 * d · scale_s · q − dmin · min_s. Each 64-element chunk c uses 32 bytes: low nibbles are sub-block
 * 2c, high nibbles sub-block 2c + 1.
 */
public final class Q4_KTensor extends MappedTensor {

    static final int BLOCK = 256;
    static final int BLOCK_BYTES = 144;
    static final int SCALES = 4; // offset of the 12 scale bytes
    static final int QS = 16;    // offset of the 128 nibble bytes

    public Q4_KTensor(MemorySegment segment, long size) {
        super(segment, size);
    }

    @Override
    public TensorType type() {
        return TensorType.Q4_K;
    }

    private int scaleByte(long block, int j) {
        return segment.get(ValueLayout.JAVA_BYTE, block + SCALES + j) & 0xff;
    }

    /** ggml's get_scale_min_k4: the 6-bit scale of sub-block j. */
    private int scale(long block, int j) {
        return j < 4 ? scaleByte(block, j) & 63 : (scaleByte(block, j + 4) & 0x0f) | ((scaleByte(block, j - 4) >>> 6) << 4);
    }

    /** ggml's get_scale_min_k4: the 6-bit min of sub-block j. */
    private int min(long block, int j) {
        return j < 4 ? scaleByte(block, j + 4) & 63 : (scaleByte(block, j + 4) >>> 4) | ((scaleByte(block, j) >>> 6) << 4);
    }

    private static int packedByte(long first, int last, int k) {
        return (int) ((k < 8 ? first >>> (8 * k) : last >>> (8 * (k - 8))) & 0xff);
    }

    /** {@link #scale} from the scale bytes read as a long (bytes 0-7) and an int (bytes 8-11). */
    static int packedScale(long first, int last, int j) {
        return j < 4 ? packedByte(first, last, j) & 63
                : (packedByte(first, last, j + 4) & 0x0f) | ((packedByte(first, last, j - 4) >>> 6) << 4);
    }

    static int packedMin(long first, int last, int j) {
        return j < 4 ? packedByte(first, last, j + 4) & 63
                : (packedByte(first, last, j + 4) >>> 4) | ((packedByte(first, last, j) >>> 6) << 4);
    }

    @Override
    public float getFloat(long index) {
        long block = (index / BLOCK) * BLOCK_BYTES;
        int within = (int) (index % BLOCK);
        int chunk = within / 64;
        int sub = within / 32;
        int packed = segment.get(ValueLayout.JAVA_BYTE, block + QS + chunk * 32L + within % 32) & 0xff;
        int nibble = (sub & 1) == 0 ? packed & 0x0f : packed >>> 4;
        return half(block) * scale(block, sub) * nibble - half(block + 2) * min(block, sub);
    }

    @Override
    float dotBlocks(long byteOffset, float[] x, int xOffset, int blocks) {
        return KERNELS.dotQ4_K(segment, byteOffset, x, xOffset, blocks);
    }

    @Override
    void copyBlocks(long byteOffset, float[] out, int outOffset, int blocks) {
        KERNELS.copyQ4_K(segment, byteOffset, out, outOffset, blocks);
    }
}
