package ai.ensemble.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** GGML Q8_0: blocks of 32 elements, each an fp16 scale d and 32 int8 q; value = d · q. */
public final class Q8_0Tensor extends MappedTensor {

    static final int BLOCK = 32;
    static final int BLOCK_BYTES = 34;

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
    float dotBlocks(long byteOffset, float[] x, int xOffset, int blocks) {
        return KERNELS.dotQ8_0(segment, byteOffset, x, xOffset, blocks);
    }

    @Override
    void copyBlocks(long byteOffset, float[] out, int outOffset, int blocks) {
        KERNELS.copyQ8_0(segment, byteOffset, out, outOffset, blocks);
    }
}
