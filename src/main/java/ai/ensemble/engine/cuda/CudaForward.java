package ai.ensemble.engine.cuda;

import java.util.ArrayList;
import java.util.List;

import ai.ensemble.engine.cpu.Forward;
import ai.ensemble.engine.cpu.KvCache;
import ai.ensemble.engine.model.LlamaWeights;
import ai.ensemble.engine.model.LoadedModel;
import ai.ensemble.engine.model.ModelConfig;
import ai.ensemble.engine.model.RopeStyle;
import jcuda.driver.CUgraph;
import jcuda.driver.CUgraphExec;
import jcuda.driver.CUstreamCaptureMode;

import static jcuda.driver.JCudaDriver.cuGraphDestroy;
import static jcuda.driver.JCudaDriver.cuGraphInstantiate;
import static jcuda.driver.JCudaDriver.cuGraphLaunch;
import static jcuda.driver.JCudaDriver.cuStreamBeginCapture;
import static jcuda.driver.JCudaDriver.cuStreamEndCapture;

/**
 * The Llama-family forward pass on one NVIDIA GPU (Hopper or newer, CUDA 13 driver) through JCuda's
 * driver API, for BF16, F16, Q8_0 (and F32) weight matrices, a model's types mixed as its file has
 * them ({@link DeviceWeights}), with f32 activations, accumulation and KV cache. One decode step is
 * 5 kernels per layer (fused-norm QKV GEMV with RoPE and the KV write in its epilogue, attention,
 * wo GEMV + residual, fused-norm gate/up GEMV + SwiGLU, down GEMV + residual) plus embedding, logits
 * and argmax, captured once per cache as a CUDA graph and replayed per token; token and position
 * live in device memory. Inside the graph each kernel after the first is launched dependent on the one
 * before (programmatic dependent launch, {@link CudaContext}): it starts, and asks L2 for its first
 * weights, while its predecessor drains.
 *
 * <p>A prompt of several tokens is prefilled in one batch ({@link CudaPrefill}: cuBLAS 13 GEMMs
 * through the FFM API, chunks of up to {@value #PREFILL_CHUNK} tokens) where libcublas.so.13 loads, else
 * the engine's own tensor-core GEMM ({@link TensorCoreGemm}; {@code -Densemble.cuda.gemm=tensorcore} forces it);
 * elsewhere, or with {@code -Densemble.cuda.prefill=tokens}, token by token through the decode step
 * (logged once). {@code -Densemble.cuda.prefill=bf16} rounds the GEMM inputs to BF16 once instead of
 * the default hi + lo split (faster, ~1e-2 relative error in the logits). Calls are serialised: the
 * activation buffers are shared by all caches.
 *
 * <p>Nothing here loads JCuda until a {@code CudaForward} is made or {@link #availability()} asked,
 * so the engine runs on machines without the JCuda jars or a GPU.
 */
public final class CudaForward implements Forward, AutoCloseable {

    /** Whether the GPU backend can run here, and if not, why. */
    public record Availability(boolean available, String reason) {
    }

    /** How a prompt of several tokens is run: batched GEMMs with split or plain BF16 inputs, or token by token. */
    enum PrefillMode { SPLIT, BF16, TOKENS }

    static final int PREFILL_CHUNK = 512;
    private static final System.Logger LOG = System.getLogger(CudaForward.class.getName());

    private final ModelConfig config;
    private final CudaContext context;
    private final boolean ownsContext;
    private final DeviceWeights weights;
    private final int queryDim;
    private final int kvDim;
    private final EmbeddingGather embedding;
    private final Gemv gemv;
    private final AttentionDecode attention;
    private final Argmax argmax;
    private final DeviceBuffer state;     // (2) int32: token, position of the step about to run
    private final DeviceBuffer x;         // (dim) residual stream
    private final DeviceBuffer qkv;       // (heads·headDim + 2·kvHeads·headDim)
    private final DeviceBuffer attended;  // (heads·headDim)
    private final DeviceBuffer hidden;    // (hiddenDim)
    private final DeviceBuffer logits;    // (vocab)
    private final List<CudaKvCache> caches = new ArrayList<>();
    private PrefillMode prefillMode;
    private Gemm gemm;               // cuBLAS 13, or the engine's tensor-core GEMM where it is absent; null for TOKENS
    private String cublasProblem;
    private CudaPrefill prefill;     // made on the first batched prefill
    private MatrixKernels matrices;  // the GEMMs and gathers of the batched paths, made with the first of them

    /** Uploads {@code weights} (BF16, F16, Q8_0 or F32 matrices) to GPU 0. */
    public CudaForward(ModelConfig config, LlamaWeights weights) {
        this(CudaContext.open(0), true, config, null, weights);
    }

    public static CudaForward of(LoadedModel model) {
        return new CudaForward(model.config(), model.weights());
    }

    /** On weights already on the device (benchmarks); the caller keeps the context. */
    CudaForward(CudaContext context, DeviceWeights weights) {
        this(context, false, weights.config, weights, null);
    }

    private CudaForward(CudaContext context, boolean ownsContext, ModelConfig config, DeviceWeights onDevice, LlamaWeights weights) {
        this.context = context;
        this.ownsContext = ownsContext;
        this.config = config;
        this.queryDim = config.heads() * config.headDim();
        this.kvDim = config.kvHeads() * config.headDim();
        if (config.heads() % config.kvHeads() != 0) {
            throw new IllegalArgumentException("heads (" + config.heads() + ") must be a multiple of kvHeads (" + config.kvHeads() + ")");
        }
        List<DeviceBuffer> made = new ArrayList<>();
        try {
            this.weights = onDevice != null ? onDevice : DeviceWeights.upload(config, weights);
            this.embedding = new EmbeddingGather(context);
            this.gemv = new Gemv(context);
            this.attention = new AttentionDecode(context);
            this.argmax = new Argmax(context, config.vocabSize());
            this.state = track(made, DeviceBuffer.allocate(8));
            this.x = track(made, DeviceBuffer.allocate(4L * config.dim()));
            this.qkv = track(made, DeviceBuffer.allocate(4L * (queryDim + 2 * kvDim)));
            this.attended = track(made, DeviceBuffer.allocate(4L * queryDim));
            this.hidden = track(made, DeviceBuffer.allocate(4L * config.hiddenDim()));
            this.logits = track(made, DeviceBuffer.allocate(4L * config.vocabSize()));
            this.prefillMode = configuredPrefillMode();
            if (prefillMode != PrefillMode.TOKENS) {
                this.gemm = openGemm(context);
            }
        } catch (RuntimeException e) {
            made.forEach(DeviceBuffer::free);
            if (ownsContext) {
                context.close();
            }
            throw e;
        }
    }

    /**
     * cuBLAS 13 unless {@code -Densemble.cuda.gemm=tensorcore}; where cuBLAS cannot be loaded, the engine's
     * own tensor-core GEMM (logged once).
     */
    private Gemm openGemm(CudaContext context) {
        String choice = System.getProperty("ensemble.cuda.gemm", "cublas");
        if (!choice.equals("cublas") && !choice.equals("tensorcore")) {
            throw new IllegalArgumentException("ensemble.cuda.gemm must be cublas or tensorcore, got " + choice);
        }
        if (choice.equals("cublas")) {
            try {
                return Cublas.open(context.stream());
            } catch (RuntimeException | LinkageError e) {
                this.cublasProblem = String.valueOf(e.getMessage());
                LOG.log(System.Logger.Level.WARNING, "cuda backend: prefill and batched decode use the engine's tensor-core GEMM, "
                        + "since cuBLAS cannot be used: " + cublasProblem);
            }
        }
        return new TensorCoreGemm(context);
    }

    private static DeviceBuffer track(List<DeviceBuffer> made, DeviceBuffer buffer) {
        made.add(buffer);
        return buffer;
    }

    /** True where a CUDA 13 driver, a Hopper-or-newer GPU and the JCuda jars are present; never throws. */
    public static boolean isAvailable() {
        return availability().available();
    }

    public static Availability availability() {
        try {
            return Probe.run();
        } catch (LinkageError e) {
            String message = String.valueOf(e.getMessage());
            if (message.contains("libcuda.so")) {
                return new Availability(false, "no NVIDIA driver: libcuda.so.1 cannot be loaded");
            }
            return new Availability(false, "JCuda cannot be loaded (" + e.getClass().getSimpleName() + ": "
                    + message.lines().findFirst().orElse("") + "): the jcuda and jcuda-natives jars and a CUDA driver are needed");
        } catch (RuntimeException e) {
            return new Availability(false, String.valueOf(e.getMessage()));
        }
    }

    /** Kept in its own class so that asking for availability links JCuda only inside the try above. */
    private static final class Probe {
        static Availability run() {
            try (CudaContext context = CudaContext.open(0)) {
                context.function("embedding", "embedding_gather"); // the driver accepts the PTX
                return new Availability(true, context.deviceName() + ", CUDA driver " + context.driverVersion());
            }
        }
    }

    String deviceName() {
        return context.deviceName();
    }

    DeviceWeights weights() {
        return weights;
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    @Override
    public String backend() {
        return "cuda";
    }

    @Override
    public synchronized KvCache newCache(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("KV cache capacity must be positive, got " + capacity);
        }
        context.makeCurrent();
        CudaKvCache cache = new CudaKvCache(this, config.layers(), capacity, kvDim);
        caches.add(cache);
        return cache;
    }

    private static PrefillMode configuredPrefillMode() {
        String value = System.getProperty("ensemble.cuda.prefill", "split");
        try {
            return PrefillMode.valueOf(value.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("ensemble.cuda.prefill must be split, bf16 or tokens, got " + value);
        }
    }

    /** Chooses how prompts are prefilled from now on (benchmarks, tests); batched modes need cuBLAS. */
    synchronized void prefillMode(PrefillMode mode) {
        this.prefillMode = mode;
        if (mode != PrefillMode.TOKENS && gemm == null) {
            gemm = openGemm(context);
        }
    }

    /** The prefill path in use, in words (for logs and benchmarks). */
    synchronized String prefillDescription() {
        if (prefillMode == PrefillMode.TOKENS) {
            return "token by token through the decode graph (configured)";
        }
        return "batched, " + gemm.description() + ", " + (prefillMode == PrefillMode.SPLIT ? "hi+lo split BF16" : "BF16") + " inputs"
                + (cublasProblem == null ? "" : " (cuBLAS: " + cublasProblem + ")");
    }

    boolean batchedPrefill() {
        return prefillMode != PrefillMode.TOKENS && gemm != null;
    }

    @Override
    public synchronized float[][] logitsAt(int[] tokens, int startPosition, KvCache cache, int[] rows) {
        CudaKvCache kv = checkCall(tokens, startPosition, cache, rows);
        context.makeCurrent();
        float[][] out = new float[rows.length][];
        if (tokens.length > 1 && batchedPrefill()) {
            CudaPrefill.Precision precision = prefillMode == PrefillMode.BF16 ? CudaPrefill.Precision.BF16 : CudaPrefill.Precision.SPLIT;
            CudaPrefill batch = prefillBuffers(tokens.length);
            for (int offset = 0; offset < tokens.length; offset += batch.capacity) {
                int count = Math.min(batch.capacity, tokens.length - offset);
                batch.run(tokens, offset, count, startPosition + offset, kv, precision);
                for (int i = 0; i < rows.length; i++) {
                    if (rows[i] >= offset && rows[i] < offset + count) {
                        gemv.project(weights.output, batch.row(rows[i] - offset), weights.outputNorm, config.rmsNormEps(),
                                null, logits, config.vocabSize(), config.dim());
                        context.synchronize();
                        out[i] = logits.downloadFloats();
                    }
                }
            }
            context.synchronize();
            return out;
        }
        for (int t = 0; t < tokens.length; t++) {
            step(kv, tokens[t], startPosition + t, 1);
            for (int i = 0; i < rows.length; i++) {
                if (rows[i] == t) {
                    context.synchronize();
                    out[i] = logits.downloadFloats();
                }
            }
        }
        context.synchronize();
        return out;
    }

    private CudaPrefill prefillBuffers(int tokens) {
        int wanted = Math.min(PREFILL_CHUNK, (tokens + 15) / 16 * 16);
        if (prefill == null || prefill.capacity < wanted) {
            if (prefill != null) {
                context.synchronize();
                prefill.close();
                prefill = null;
            }
            prefill = new CudaPrefill(context, weights, matrices(), wanted);
        }
        return prefill;
    }

    /**
     * Sets token and position on the device and replays the decode graph {@code steps} times: the
     * first step runs {@code token} at {@code position}, each further one the greedy choice of the
     * step before at the next position. Asynchronous: returns before the GPU is done.
     */
    void step(CudaKvCache kv, int token, int position, int steps) {
        if (position + steps > kv.capacity()) {
            throw new IllegalArgumentException("positions up to " + (position + steps) + " do not fit a KV cache of " + kv.capacity());
        }
        context.synchronize(); // the previous step may still read the state buffer
        state.upload(new int[] {token, position});
        if (kv.decodeGraph == null) {
            kv.decodeGraph = capture(kv);
        }
        for (int s = 0; s < steps; s++) {
            cuGraphLaunch(kv.decodeGraph, context.stream());
        }
    }

    /** Replays the decode graph {@code steps} more times from the device-side token and position. */
    void stepWithoutReset(CudaKvCache kv, int steps) {
        for (int s = 0; s < steps; s++) {
            cuGraphLaunch(kv.decodeGraph, context.stream());
        }
    }

    /** The greedy token chosen by the last step, and the position it will take (synchronizes). */
    int[] deviceState() {
        context.synchronize();
        int[] values = new int[2];
        state.download(values);
        return values;
    }

    CudaContext context() {
        return context;
    }

    /** The GEMM of prefill and batched decode on the engine's stream; null when prefill runs token by token. */
    Gemm gemm() {
        return gemm;
    }

    /** The batched paths' GEMMs and gathers over the weights (their dequantisation scratch included); needs a GEMM. */
    synchronized MatrixKernels matrices() {
        if (gemm == null) {
            throw new IllegalStateException("batched matmuls need a GEMM: " + prefillDescription());
        }
        if (matrices == null) {
            context.makeCurrent();
            matrices = new MatrixKernels(context, gemm, weights);
        }
        return matrices;
    }

    private CUgraphExec capture(CudaKvCache kv) {
        cuStreamBeginCapture(context.stream(), CUstreamCaptureMode.CU_STREAM_CAPTURE_MODE_THREAD_LOCAL);
        CUgraph graph = new CUgraph();
        context.beginDependentLaunches();
        try {
            enqueueDecodeStep(kv);
        } finally {
            context.endDependentLaunches();
            cuStreamEndCapture(context.stream(), graph);
        }
        CUgraphExec exec = new CUgraphExec();
        try {
            cuGraphInstantiate(exec, graph, 0);
        } finally {
            cuGraphDestroy(graph);
        }
        return exec;
    }

    private void enqueueDecodeStep(CudaKvCache kv) {
        DeviceBuffer token = state.slice(0, 4);
        DeviceBuffer position = state.slice(4, 4);
        int dim = config.dim();
        int hiddenDim = config.hiddenDim();
        float eps = config.rmsNormEps();
        boolean interleaved = config.ropeStyle() == RopeStyle.INTERLEAVED;
        embedding.launch(weights.embedding, token, x, dim);
        for (int l = 0; l < config.layers(); l++) {
            DeviceWeights.Layer layer = weights.layers.get(l);
            gemv.qkvRope(layer.qkv(), x, layer.attentionNorm(), eps, layer.qkvBias(), qkv, weights.qkvRows(), dim,
                    weights.inverseFrequencies, position, kv.keys(l), kv.values(l),
                    config.heads(), config.kvHeads(), config.headDim(), interleaved);
            attention.launch(qkv, kv.keys(l), kv.values(l), position, attended, config.heads(), config.kvHeads(), config.headDim());
            gemv.addProjection(layer.wo(), attended, x, dim, queryDim);
            gemv.swiglu(layer.gateUp(), x, layer.ffnNorm(), eps, hidden, hiddenDim, dim);
            gemv.addProjection(layer.down(), hidden, x, dim, hiddenDim);
        }
        gemv.project(weights.output, x, weights.outputNorm, eps, null, logits, config.vocabSize(), dim);
        argmax.launch(logits, config.vocabSize(), token, position);
    }

    private CudaKvCache checkCall(int[] tokens, int startPosition, KvCache cache, int[] rows) {
        if (!(cache instanceof CudaKvCache kv) || kv.owner != this) {
            throw new IllegalArgumentException("cache was not made by this CUDA forward pass (use newCache)");
        }
        if (kv.closed()) {
            throw new IllegalArgumentException("cache was closed");
        }
        Forward.checkArguments(config, tokens, startPosition, cache, rows);
        return kv;
    }

    synchronized void release(CudaKvCache cache) {
        context.makeCurrent();
        context.synchronize();
        cache.free();
        caches.remove(cache);
    }

    @Override
    public synchronized void close() {
        context.makeCurrent();
        context.synchronize();
        for (CudaKvCache cache : caches) {
            cache.free();
        }
        caches.clear();
        for (DeviceBuffer buffer : List.of(state, x, qkv, attended, hidden, logits)) {
            buffer.free();
        }
        argmax.close();
        if (prefill != null) {
            prefill.close();
            prefill = null;
        }
        if (matrices != null) {
            matrices.close();
            matrices = null;
        }
        if (gemm != null) {
            gemm.close();
            gemm = null;
        }
        if (ownsContext) {
            weights.close();
            context.close();
        }
    }
}
