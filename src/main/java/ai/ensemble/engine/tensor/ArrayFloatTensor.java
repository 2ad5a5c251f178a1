package ai.ensemble.engine.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import static ai.ensemble.engine.tensor.Vectors.F;
import static ai.ensemble.engine.tensor.Vectors.L;

/** F32 on a heap array: for tests, synthesised demo models and small derived tensors. */
public final class ArrayFloatTensor extends FloatTensor {

    private final float[] values;

    /** Wraps (does not copy) {@code values}. */
    public ArrayFloatTensor(float[] values) {
        this.values = values;
    }

    public float[] values() {
        return values;
    }

    @Override
    public TensorType type() {
        return TensorType.F32;
    }

    @Override
    public long size() {
        return values.length;
    }

    @Override
    public float getFloat(long index) {
        return values[Math.toIntExact(index)];
    }

    @Override
    public float dot(long offset, float[] x, int xOffset, int n) {
        int start = Math.toIntExact(offset);
        int i = 0;
        float result = 0f;
        if (Vectors.ENABLED) {
            FloatVector acc = FloatVector.zero(F);
            int upper = F.loopBound(n);
            for (; i < upper; i += L) {
                acc = FloatVector.fromArray(F, values, start + i).fma(FloatVector.fromArray(F, x, xOffset + i), acc);
            }
            result = acc.reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {
            result += values[start + i] * x[xOffset + i];
        }
        return result;
    }

    @Override
    public void copyTo(long offset, float[] out, int outOffset, int n) {
        System.arraycopy(values, Math.toIntExact(offset), out, outOffset, n);
    }
}
