package ai.ensemble.engine.cuda;

import jcuda.driver.CUfunction;

/** Host side of src/main/cuda/attention.cu: grouped-query attention of one token over the cache. */
final class AttentionDecode {

    static final int MAX_HEAD_DIM = 256;

    private final CudaContext context;
    private final CUfunction kernel;
    private final CUfunction upTo64;
    private final CUfunction upTo128;

    AttentionDecode(CudaContext context) {
        this.context = context;
        this.kernel = context.function("attention", "attention_decode");
        this.upTo64 = context.function("attention", "attention_decode_d64");
        this.upTo128 = context.function("attention", "attention_decode_d128");
    }

    /** out (heads · headDim) from q (the start of qkv) and cache rows [0, position[0]]. */
    void launch(DeviceBuffer q, DeviceBuffer keyCache, DeviceBuffer valueCache, DeviceBuffer position, DeviceBuffer out,
                int heads, int kvHeads, int headDim) {
        if (headDim > MAX_HEAD_DIM) {
            throw new IllegalArgumentException("attention_decode handles headDim up to " + MAX_HEAD_DIM + ", got " + headDim);
        }
        CUfunction chosen = headDim <= 64 ? upTo64 : headDim <= 128 ? upTo128 : kernel;
        context.launch(chosen, heads, 1024, q, keyCache, valueCache, position, out, heads, kvHeads, headDim,
                (float) (1.0 / Math.sqrt(headDim)));
    }

    /** CPU reference in double: q (heads · headDim), caches (capacity, kvHeads · headDim). */
    static float[] reference(float[] q, float[] keyCache, float[] valueCache, int position, int heads, int kvHeads, int headDim) {
        int kvDim = kvHeads * headDim;
        int group = heads / kvHeads;
        double scale = 1.0 / Math.sqrt(headDim);
        float[] out = new float[heads * headDim];
        for (int h = 0; h < heads; h++) {
            int kvOffset = (h / group) * headDim;
            double[] scores = new double[position + 1];
            double max = Double.NEGATIVE_INFINITY;
            for (int p = 0; p <= position; p++) {
                double s = 0;
                for (int d = 0; d < headDim; d++) {
                    s += (double) q[h * headDim + d] * keyCache[p * kvDim + kvOffset + d];
                }
                scores[p] = s * scale;
                max = Math.max(max, scores[p]);
            }
            double sum = 0;
            for (int p = 0; p <= position; p++) {
                scores[p] = Math.exp(scores[p] - max);
                sum += scores[p];
            }
            for (int d = 0; d < headDim; d++) {
                double v = 0;
                for (int p = 0; p <= position; p++) {
                    v += scores[p] * valueCache[p * kvDim + kvOffset + d];
                }
                out[h * headDim + d] = (float) (v / sum);
            }
        }
        return out;
    }
}
