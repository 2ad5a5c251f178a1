package ai.ensemble.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import static ai.ensemble.engine.tensor.Vectors.B;
import static ai.ensemble.engine.tensor.Vectors.F;
import static ai.ensemble.engine.tensor.Vectors.L;
import static ai.ensemble.engine.tensor.Vectors.LE;

/** GGML Q8_0: blocks of 32 elements, each an fp16 scale d and 32 int8 q; value = d · q. */
public final class Q8_0Tensor extends MappedTensor {

    private static final int BLOCK = 32;
    private static final int BLOCK_BYTES = 34;

    public Q8_0Tensor(MemorySegment segment, long size) {
        super(segment, size);
    }

    @Override
    public TensorType type() {
        return TensorType.Q8_0;
    }

    @Override
    public float getFloat(long index) {
        long block = (index / BLOCK) * BLOCK_BYTES;
        return half(block) * segment.get(ValueLayout.JAVA_BYTE, block + 2 + index % BLOCK);
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
            for (int j = 0; j < BLOCK; j += L) {
                FloatVector q = Vectors.bytesToFloat(ByteVector.fromMemorySegment(B, segment, at + 2 + j, LE));
                sum = q.fma(FloatVector.fromArray(F, x, xOffset + i + j), sum);
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
