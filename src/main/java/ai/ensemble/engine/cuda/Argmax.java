package ai.ensemble.engine.cuda;

import jcuda.driver.CUfunction;

/**
 * Host side of src/main/cuda/argmax.cu: the greedy next token, written to the device-side token
 * slot, and the device-side position advanced by one, so a replayed decode graph feeds itself.
 */
final class Argmax implements AutoCloseable {

    /** THREADS · PER_THREAD of argmax.cu: logits per block. */
    private static final int PER_BLOCK = 256 * 4;

    private final CudaContext context;
    private final CUfunction kernel;
    private final int maxBlocks;
    private final DeviceBuffer partials; // (blocks) u64 keys, one per block
    private final DeviceBuffer counter;  // u32 blocks done; the last block resets it to 0

    /** For up to {@code maxN} logits. */
    Argmax(CudaContext context, int maxN) {
        this.context = context;
        this.kernel = context.function("argmax", "argmax_advance");
        this.maxBlocks = blocks(maxN);
        this.partials = DeviceBuffer.allocate(8L * maxBlocks);
        this.counter = DeviceBuffer.allocate(4);
        counter.zero();
    }

    private static int blocks(int n) {
        return (n + PER_BLOCK - 1) / PER_BLOCK;
    }

    void launch(DeviceBuffer logits, int n, DeviceBuffer token, DeviceBuffer position) {
        if (n <= 0 || blocks(n) > maxBlocks) {
            throw new IllegalArgumentException("argmax over " + n + " logits: this Argmax takes 1 to " + maxBlocks * PER_BLOCK);
        }
        context.launch(kernel, blocks(n), 256, logits, n, token, position, partials, counter);
    }

    @Override
    public void close() {
        partials.free();
        counter.free();
    }

    /** CPU reference: the lowest index of the largest value, as Sampler.argmax and torch.argmax. */
    static int reference(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }
}
