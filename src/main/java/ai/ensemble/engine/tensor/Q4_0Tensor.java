package ai.ensemble.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * GGML Q4_0: blocks of 32 elements, each an fp16 scale d and 16 bytes; byte j holds element j in
 * its low nibble and element j + 16 in its high nibble; value = d · (nibble − 8).
 */
public final class Q4_0Tensor extends MappedTensor {

    static final int BLOCK = 32;
    static final int BLOCK_BYTES = 18;

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
    float dotBlocks(long byteOffset, float[] x, int xOffset, int blocks) {
        return KERNELS.dotQ4_0(segment, byteOffset, x, xOffset, blocks);
    }

    @Override
    void copyBlocks(long byteOffset, float[] out, int outOffset, int blocks) {
        KERNELS.copyQ4_0(segment, byteOffset, out, outOffset, blocks);
    }
}
