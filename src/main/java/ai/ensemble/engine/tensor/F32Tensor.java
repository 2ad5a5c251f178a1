package ai.ensemble.engine.tensor;

import java.lang.foreign.MemorySegment;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import static ai.ensemble.engine.tensor.Vectors.F;
import static ai.ensemble.engine.tensor.Vectors.L;
import static ai.ensemble.engine.tensor.Vectors.LE;

/** 32-bit floats, 4 bytes each. */
public final class F32Tensor extends MappedTensor {

    public F32Tensor(MemorySegment segment, long size) {
        super(segment, size);
    }

    @Override
    public TensorType type() {
        return TensorType.F32;
    }

    @Override
    public float getFloat(long index) {
        return segment.get(FLOAT, index * 4);
    }

    @Override
    public float dot(long offset, float[] x, int xOffset, int n) {
        checkRange(offset, n);
        int i = 0;
        float result = 0f;
        if (Vectors.ENABLED) {
            FloatVector acc0 = FloatVector.zero(F);
            FloatVector acc1 = FloatVector.zero(F);
            int upper = n - n % (2 * L);
            for (; i < upper; i += 2 * L) {
                long at = (offset + i) * 4;
                acc0 = FloatVector.fromMemorySegment(F, segment, at, LE).fma(FloatVector.fromArray(F, x, xOffset + i), acc0);
                acc1 = FloatVector.fromMemorySegment(F, segment, at + 4L * L, LE).fma(FloatVector.fromArray(F, x, xOffset + i + L), acc1);
            }
            result = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {
            result += segment.get(FLOAT, (offset + i) * 4) * x[xOffset + i];
        }
        return result;
    }

    @Override
    public void copyTo(long offset, float[] out, int outOffset, int n) {
        checkRange(offset, n);
        MemorySegment.copy(segment, FLOAT, offset * 4, out, outOffset, n);
    }
}
