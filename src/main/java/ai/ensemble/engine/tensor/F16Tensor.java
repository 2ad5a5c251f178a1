package ai.ensemble.engine.tensor;

import java.lang.foreign.MemorySegment;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

import static ai.ensemble.engine.tensor.Vectors.F;
import static ai.ensemble.engine.tensor.Vectors.L;
import static ai.ensemble.engine.tensor.Vectors.LE;
import static ai.ensemble.engine.tensor.Vectors.S;

/** IEEE 754 half precision, 2 bytes each. */
public final class F16Tensor extends MappedTensor {

    public F16Tensor(MemorySegment segment, long size) {
        super(segment, size);
    }

    @Override
    public TensorType type() {
        return TensorType.F16;
    }

    @Override
    public float getFloat(long index) {
        return half(index * 2);
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
                long at = (offset + i) * 2;
                FloatVector w0 = Vectors.f16ToFloat(ShortVector.fromMemorySegment(S, segment, at, LE));
                FloatVector w1 = Vectors.f16ToFloat(ShortVector.fromMemorySegment(S, segment, at + 2L * L, LE));
                acc0 = w0.fma(FloatVector.fromArray(F, x, xOffset + i), acc0);
                acc1 = w1.fma(FloatVector.fromArray(F, x, xOffset + i + L), acc1);
            }
            result = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {
            result += getFloat(offset + i) * x[xOffset + i];
        }
        return result;
    }
}
