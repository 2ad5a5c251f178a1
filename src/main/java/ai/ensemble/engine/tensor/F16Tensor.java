package ai.ensemble.engine.tensor;

import java.lang.foreign.MemorySegment;

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
    float dotBlocks(long byteOffset, float[] x, int xOffset, int n) {
        return KERNELS.dotF16(segment, byteOffset, x, xOffset, n);
    }

    @Override
    void copyBlocks(long byteOffset, float[] out, int outOffset, int n) {
        KERNELS.copyF16(segment, byteOffset, out, outOffset, n);
    }
}
