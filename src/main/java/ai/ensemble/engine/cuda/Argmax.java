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
    private final int maxRows;
    private final DeviceBuffer partials; // (rows, blocks) u64 keys, one per block
    private final DeviceBuffer counter;  // (rows) u32 blocks done; each row's last block resets it to 0

    /** For one row of up to {@code maxN} logits. */
    Argmax(CudaContext context, int maxN) {
        this(context, maxN, 1);
    }

    /** For up to {@code maxRows} rows of up to {@code maxN} logits each. */
    Argmax(CudaContext context, int maxN, int maxRows) {
        this.context = context;
        this.kernel = context.function("argmax", "argmax_advance");
        this.maxBlocks = blocks(maxN);
        this.maxRows = maxRows;
        this.partials = DeviceBuffer.allocate(8L * maxBlocks * maxRows);
        this.counter = DeviceBuffer.allocate(4L * maxRows);
        counter.zero();
    }

    private static int blocks(int n) {
        return (n + PER_BLOCK - 1) / PER_BLOCK;
    }

    /** token[0] = argmax of logits (n), position[0] += 1. */
    void launch(DeviceBuffer logits, int n, DeviceBuffer token, DeviceBuffer position) {
        launchRows(logits, n, 1, token, position);
    }

    /** tokens[r] = argmax of row r of logits (rows, n); positions[r] += 1 unless positions is null. */
    void launchRows(DeviceBuffer logits, int n, int rows, DeviceBuffer tokens, DeviceBuffer positions) {
        if (n <= 0 || blocks(n) > maxBlocks || rows <= 0 || rows > maxRows) {
            throw new IllegalArgumentException("argmax over " + rows + " rows of " + n + " logits: this Argmax takes 1 to "
                    + maxRows + " rows of 1 to " + maxBlocks * PER_BLOCK);
        }
        // each row's partials start at r · gridDim.x: with fewer blocks than maxBlocks the rows pack tighter, which fits
        context.launch2d(kernel, blocks(n), rows, 256, logits, n, tokens, positions, partials, counter);
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
