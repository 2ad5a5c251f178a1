package ai.ensemble.engine.cuda;

import jcuda.driver.CUfunction;

/**
 * Host side of src/main/cuda/rope_kv.cu: rotates q and k of one token in the qkv buffer and writes
 * k and v to the layer's cache row at the device-side position.
 */
final class RopeKvWrite {

    private final CudaContext context;
    private final CUfunction kernel;

    RopeKvWrite(CudaContext context) {
        this.context = context;
        this.kernel = context.function("rope_kv", "rope_kv_write");
    }

    void launch(DeviceBuffer qkv, DeviceBuffer inverseFrequencies, DeviceBuffer position, DeviceBuffer keyCache,
                DeviceBuffer valueCache, int heads, int kvHeads, int headDim, boolean interleaved) {
        int threads = (heads + kvHeads) * headDim / 2 + kvHeads * headDim;
        context.launch(kernel, (threads + 255) / 256, 256, qkv, inverseFrequencies, position, keyCache, valueCache,
                heads, kvHeads, headDim, interleaved ? 1 : 0);
    }

    /**
     * CPU reference, as cpu.Rope: rotates q and k in qkv (heads + kvHeads heads, then v) in place and
     * writes k and v to row {@code position} of the caches (capacity, kvHeads · headDim).
     */
    static void reference(float[] qkv, float[] inverseFrequencies, int position, float[] keyCache, float[] valueCache,
                          int heads, int kvHeads, int headDim, boolean interleaved) {
        int half = headDim / 2;
        int kvDim = kvHeads * headDim;
        for (int h = 0; h < heads + kvHeads; h++) {
            for (int i = 0; i < half; i++) {
                int a = h * headDim + (interleaved ? 2 * i : i);
                int b = h * headDim + (interleaved ? 2 * i + 1 : i + half);
                float angle = position * inverseFrequencies[i];
                float cos = (float) Math.cos(angle);
                float sin = (float) Math.sin(angle);
                float x = qkv[a];
                float y = qkv[b];
                qkv[a] = x * cos - y * sin;
                qkv[b] = y * cos + x * sin;
            }
        }
        int queryDim = heads * headDim;
        System.arraycopy(qkv, queryDim, keyCache, position * kvDim, kvDim);
        System.arraycopy(qkv, queryDim + kvDim, valueCache, position * kvDim, kvDim);
    }
}
