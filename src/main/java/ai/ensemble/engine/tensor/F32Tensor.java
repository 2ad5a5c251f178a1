package ai.ensemble.engine.tensor;

import java.lang.foreign.MemorySegment;

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
    float dotBlocks(long byteOffset, float[] x, int xOffset, int n) {
        return KERNELS.dotF32(segment, byteOffset, x, xOffset, n);
    }

    @Override
    void copyBlocks(long byteOffset, float[] out, int outOffset, int n) {
        MemorySegment.copy(segment, FLOAT, byteOffset, out, outOffset, n);
    }
}
