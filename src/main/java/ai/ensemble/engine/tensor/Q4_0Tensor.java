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
 * GGML Q4_0: blocks of 32 elements, each an fp16 scale d and 16 bytes; byte j holds element j in
 * its low nibble and element j + 16 in its high nibble; value = d · (nibble − 8).
 */
public final class Q4_0Tensor extends MappedTensor {

    private static final int BLOCK = 32;
    private static final int BLOCK_BYTES = 18;

    public Q4_0Tensor(MemorySegment segment, long size) {
        super(segment, size);
    }

    @Override
    public TensorType type() {
        return TensorType.Q4_0;
    }

    @Override
    public float getFloat(long index) {
        long block = (index / BLOCK) * BLOCK_BYTES;
        int within = (int) (index % BLOCK);
        int packed = segment.get(ValueLayout.JAVA_BYTE, block + 2 + (within & 15)) & 0xff;
        int nibble = within < 16 ? packed & 0x0f : packed >>> 4;
        return half(block) * (nibble - 8);
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
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++, at += BLOCK_BYTES, i += BLOCK) {
            FloatVector sum = FloatVector.zero(F);
            for (int j = 0; j < BLOCK / 2; j += L) {
                // Nibbles are split after widening to ints: byte-lane shifts are slow on x86.
                IntVector packed = (IntVector) ByteVector.fromMemorySegment(B, segment, at + 2 + j, LE)
                        .convertShape(VectorOperators.B2I, Vectors.I, 0);
                FloatVector low = (FloatVector) packed.and(0x0f).sub(8).convert(VectorOperators.I2F, 0);
                FloatVector high = (FloatVector) packed.lanewise(VectorOperators.LSHR, 4).and(0x0f).sub(8)
                        .convert(VectorOperators.I2F, 0);
                sum = low.fma(FloatVector.fromArray(F, x, xOffset + i + j), sum);
                sum = high.fma(FloatVector.fromArray(F, x, xOffset + i + j + BLOCK / 2), sum);
            }
            acc = sum.fma(FloatVector.broadcast(F, half(at)), acc);
        }
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
