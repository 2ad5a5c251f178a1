package ai.ensemble.engine.tensor;

/** F32 on a heap array: for tests, synthesised demo models and small derived tensors. */
public final class ArrayFloatTensor extends FloatTensor {

    private static final Kernels KERNELS = Kernels.active();

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
        return KERNELS.dotF32(values, Math.toIntExact(offset), x, xOffset, n);
    }

    @Override
    public void copyTo(long offset, float[] out, int outOffset, int n) {
        System.arraycopy(values, Math.toIntExact(offset), out, outOffset, n);
    }
}
