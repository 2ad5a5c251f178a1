package ai.ensemble.engine.tensor;

import java.lang.foreign.MemorySegment;

/** bfloat16: the upper 16 bits of a float32, 2 bytes each. */
public final class BF16Tensor extends MappedTensor {

    public BF16Tensor(MemorySegment segment, long size) {
        super(segment, size);
    }

    @Override
    public TensorType type() {
        return TensorType.BF16;
    }

    @Override
    public float getFloat(long index) {
        return Float.intBitsToFloat(segment.get(SHORT, index * 2) << 16);
    }

    @Override
    float dotBlocks(long byteOffset, float[] x, int xOffset, int n) {
        return KERNELS.dotBf16(segment, byteOffset, x, xOffset, n);
    }

    @Override
    void copyBlocks(long byteOffset, float[] out, int outOffset, int n) {
        KERNELS.copyBf16(segment, byteOffset, out, outOffset, n);
    }
}
