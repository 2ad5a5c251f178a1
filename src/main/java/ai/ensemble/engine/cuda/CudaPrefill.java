package ai.ensemble.engine.cuda;

import java.util.ArrayList;
import java.util.List;

import ai.ensemble.engine.model.ModelConfig;
import ai.ensemble.engine.model.RopeStyle;
import jcuda.driver.CUfunction;

/**
 * Batched prefill of up to {@link #capacity} prompt tokens at once: the matmuls of all tokens as
 * cuBLAS GEMMs (BF16 weights × BF16 activations, f32 accumulation and output, {@link Cublas}; other
 * weight types decoded to BF16 first, {@link MatrixKernels}), the
 * element-wise steps and a causal attention over the cache in src/main/cuda/prefill.cu and
 * attention.cu. Per layer: RMSNorm → qkv GEMM → RoPE + KV write of every position → attention →
 * wo GEMM accumulated into the residual (beta = 1) → RMSNorm → gate/up GEMM → SwiGLU → down GEMM
 * accumulated into the residual. The final residual rows stay on the device ({@link #row}) for the
 * logits the caller wants; the KV cache is filled, so the decode graph continues from it.
 *
 * <p>{@link Precision#SPLIT} feeds every GEMM the activations as hi + lo BF16 halves (two GEMMs,
 * ~16 mantissa bits: the f32 decode path's results to ~1e-5); {@link Precision#BF16} rounds them to
 * BF16 once (half the GEMM work, ~1e-2 relative error in logits, as a bf16 framework).
 */
final class CudaPrefill implements AutoCloseable {

    enum Precision { SPLIT, BF16 }

    private final CudaContext context;
    private final DeviceWeights weights;
    private final MatrixKernels matrices;
    private final ModelConfig config;
    final int capacity;
    private final int queryDim;
    private final int kvDim;
    private final CUfunction rmsnorm;
    private final CUfunction swiglu;
    private final CUfunction rope;
    private final CUfunction attention;
    private final DeviceBuffer tokens; // (capacity) int32
    private final DeviceBuffer x;      // (capacity, dim) f32 residual stream
    private final DeviceBuffer hi;     // (capacity, max K) bf16 GEMM input
    private final DeviceBuffer lo;     // (capacity, max K) bf16 its remainder (SPLIT)
    private final DeviceBuffer qkv;    // (capacity, qkvRows) f32
    private final DeviceBuffer q;      // (capacity, queryDim) f32, rotated
    private final DeviceBuffer gateUp; // (capacity, 2 · hiddenDim) f32
    private final List<DeviceBuffer> buffers = new ArrayList<>();

    CudaPrefill(CudaContext context, DeviceWeights weights, MatrixKernels matrices, int capacity) {
        this.context = context;
        this.weights = weights;
        this.matrices = matrices;
        this.config = weights.config;
        this.capacity = capacity;
        this.queryDim = config.heads() * config.headDim();
        this.kvDim = config.kvHeads() * config.headDim();
        if (config.headDim() > AttentionDecode.MAX_HEAD_DIM) {
            throw new IllegalArgumentException("attention_prefill handles headDim up to " + AttentionDecode.MAX_HEAD_DIM);
        }
        this.rmsnorm = context.function("prefill", "rmsnorm_split_bf16");
        this.swiglu = context.function("prefill", "swiglu_split_bf16");
        this.rope = context.function("prefill", "rope_kv_prefill");
        this.attention = context.function("attention", "attention_prefill");
        long maxK = Math.max(Math.max(config.dim(), queryDim), config.hiddenDim());
        try {
            this.tokens = allocate(4L * capacity);
            this.x = allocate(4L * capacity * config.dim());
            this.hi = allocate(2L * capacity * maxK);
            this.lo = allocate(2L * capacity * maxK);
            this.qkv = allocate(4L * capacity * weights.qkvRows());
            this.q = allocate(4L * capacity * queryDim);
            this.gateUp = allocate(8L * capacity * config.hiddenDim());
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private DeviceBuffer allocate(long bytes) {
        DeviceBuffer buffer = DeviceBuffer.allocate(bytes);
        buffers.add(buffer);
        return buffer;
    }

    /**
     * Enqueues the prefill of {@code count} tokens from {@code prompt[offset]} at positions
     * start, start + 1, ... into {@code kv} (positions before start must already be in the cache).
     */
    void run(int[] prompt, int offset, int count, int start, CudaKvCache kv, Precision precision) {
        if (count <= 0 || count > capacity) {
            throw new IllegalArgumentException("a prefill chunk holds 1.." + capacity + " tokens, got " + count);
        }
        int[] chunk = new int[count];
        System.arraycopy(prompt, offset, chunk, 0, count);
        context.synchronize(); // the previous chunk may still read the token buffer
        tokens.upload(chunk);
        DeviceBuffer lower = precision == Precision.SPLIT ? lo : null;
        int dim = config.dim();
        int hidden = config.hiddenDim();
        float eps = config.rmsNormEps();
        float scale = (float) (1.0 / Math.sqrt(config.headDim()));
        int ropeThreads = (config.heads() + config.kvHeads()) * config.headDim() / 2 + kvDim;
        matrices.gatherRows(weights.embedding, tokens, x, count);
        for (int l = 0; l < config.layers(); l++) {
            DeviceWeights.Layer layer = weights.layers.get(l);
            context.launch(rmsnorm, count, 256, x, layer.attentionNorm(), eps, hi, lower, dim);
            matmul(layer.qkv(), weights.qkvRows(), dim, qkv, count, false, lower);
            context.launch2d(rope, (ropeThreads + 255) / 256, count, 256, qkv, layer.qkvBias(), weights.inverseFrequencies,
                    start, q, kv.keys(l), kv.values(l), config.heads(), config.kvHeads(), config.headDim(),
                    config.ropeStyle() == RopeStyle.INTERLEAVED ? 1 : 0, weights.pairOrderedQkv ? 1 : 0);
            context.launch2d(attention, config.heads(), count, 128, q, kv.keys(l), kv.values(l), start, hi, lower,
                    config.heads(), config.kvHeads(), config.headDim(), scale);
            matmul(layer.wo(), dim, queryDim, x, count, true, lower);
            context.launch(rmsnorm, count, 256, x, layer.ffnNorm(), eps, hi, lower, dim);
            matmul(layer.gateUp(), 2 * hidden, dim, gateUp, count, false, lower);
            context.launch2d(swiglu, (hidden + 255) / 256, count, 256, gateUp, hidden, hi, lower);
            matmul(layer.down(), dim, hidden, x, count, true, lower);
        }
    }

    /** out (n, m) (+)= in (n, k) · Wᵀ, in = hi (+ lo). */
    private void matmul(DeviceMatrix w, int m, int k, DeviceBuffer out, int n, boolean accumulate, DeviceBuffer lower) {
        matrices.matmul(w, m, k, hi, lower, out, n, accumulate);
    }

    /** The residual stream after the last layer for token {@code t} of the last chunk (dim f32). */
    DeviceBuffer row(int t) {
        return x.slice(4L * t * config.dim(), 4L * config.dim());
    }

    /** FLOPs of a prefill of {@code n} tokens from position 0 as the model defines them (matmuls and attention, no logits). */
    static double flops(ModelConfig config, long qkvRows, int n) {
        double dim = config.dim();
        double queryDim = (double) config.heads() * config.headDim();
        double perToken = 2 * (qkvRows * dim + dim * queryDim + 3.0 * config.hiddenDim() * dim);
        double attention = 4 * queryDim * ((double) n * (n + 1) / 2); // q·k and p·v over positions 0..t
        return config.layers() * (perToken * n + attention);
    }

    @Override
    public void close() {
        buffers.forEach(DeviceBuffer::free);
        buffers.clear();
    }
}
