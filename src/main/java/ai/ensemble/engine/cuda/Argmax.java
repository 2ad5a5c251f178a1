package ai.ensemble.engine.cuda;

import jcuda.driver.CUfunction;

/**
 * Host side of src/main/cuda/argmax.cu: the greedy next token, written to the device-side token
 * slot, and the device-side position advanced by one, so a replayed decode graph feeds itself.
 */
final class Argmax {

    private final CudaContext context;
    private final CUfunction kernel;

    Argmax(CudaContext context) {
        this.context = context;
        this.kernel = context.function("argmax", "argmax_advance");
    }

    void launch(DeviceBuffer logits, int n, DeviceBuffer token, DeviceBuffer position) {
        context.launch(kernel, 1, 1024, logits, n, token, position);
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
