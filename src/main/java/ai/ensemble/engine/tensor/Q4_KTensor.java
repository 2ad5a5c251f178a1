package ai.ensemble.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

import static ai.ensemble.engine.tensor.Vectors.B;
import static ai.ensemble.engine.tensor.Vectors.F;
import static ai.ensemble.engine.tensor.Vectors.L;
import static ai.ensemble.engine.tensor.Vectors.LE;

/**
 * GGML Q4_K: super-blocks of 256 elements in 144 bytes: fp16 d, fp16 dmin, 12 bytes packing eight
 * 6-bit (scale, min) pairs, and 128 bytes of nibbles. Sub-block s (32 elements) has value
 * d · scale_s · q − dmin · min_s. Each 64-element chunk c uses 32 bytes: low nibbles are sub-block
 * 2c, high nibbles sub-block 2c + 1.
 */
public final class Q4_KTensor extends MappedTensor {

    private static final int BLOCK = 256;
    private static final int BLOCK_BYTES = 144;
    private static final int SCALES = 4;
    private static final int QS = 16;

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
    private static int packedScale(long first, int last, int j) {
        return j < 4 ? packedByte(first, last, j) & 63
                : (packedByte(first, last, j + 4) & 0x0f) | ((packedByte(first, last, j - 4) >>> 6) << 4);
    }

    private static int packedMin(long first, int last, int j) {
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
    public float dot(long offset, float[] x, int xOffset, int n) {
        checkRange(offset, n);
        if (!Vectors.ENABLED || offset % BLOCK != 0) {
            return scalarDot(offset, x, xOffset, n);
        }
        int i = 0;
        int blocks = n / BLOCK;
        long at = offset / BLOCK * BLOCK_BYTES;
        FloatVector accLow = FloatVector.zero(F);
        FloatVector accHigh = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++, at += BLOCK_BYTES, i += BLOCK) {
            float d = half(at);
            float negativeDmin = -half(at + 2);
            // The 12 scale bytes in two reads: bytes 0-7 and 8-11.
            long first = segment.get(LONG, at + SCALES);
            int last = segment.get(INT, at + SCALES + 8);
            for (int chunk = 0; chunk < 4; chunk++) {
                FloatVector lowScale = FloatVector.broadcast(F, d * packedScale(first, last, 2 * chunk));
                FloatVector lowMin = FloatVector.broadcast(F, negativeDmin * packedMin(first, last, 2 * chunk));
                FloatVector highScale = FloatVector.broadcast(F, d * packedScale(first, last, 2 * chunk + 1));
                FloatVector highMin = FloatVector.broadcast(F, negativeDmin * packedMin(first, last, 2 * chunk + 1));
                int base = xOffset + i + chunk * 64;
                for (int j = 0; j < 32; j += L) {
                    // Nibbles are split after widening to ints: byte-lane shifts are slow on x86.
                    IntVector packed = (IntVector) ByteVector.fromMemorySegment(B, segment, at + QS + chunk * 32L + j, LE)
                            .convertShape(VectorOperators.B2I, Vectors.I, 0);
                    FloatVector low = ((FloatVector) packed.and(0x0f).convert(VectorOperators.I2F, 0)).fma(lowScale, lowMin);
                    FloatVector high = ((FloatVector) packed.lanewise(VectorOperators.LSHR, 4).and(0x0f)
                            .convert(VectorOperators.I2F, 0)).fma(highScale, highMin);
                    accLow = low.fma(FloatVector.fromArray(F, x, base + j), accLow);
                    accHigh = high.fma(FloatVector.fromArray(F, x, base + 32 + j), accHigh);
                }
            }
        }
        FloatVector acc = accLow.add(accHigh);
        return acc.reduceLanes(VectorOperators.ADD) + scalarDot(offset + i, x, xOffset + i, n - i);
    }

    private float scalarDot(long offset, float[] x, int xOffset, int n) {
        float result = 0f;
        for (int i = 0; i < n; i++) {
            result += getFloat(offset + i) * x[xOffset + i];
        }
        return result;
    }
}
