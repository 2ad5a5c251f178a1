package ai.ensemble.engine.cuda;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import ai.ensemble.engine.model.ModelConfig;
import ai.ensemble.engine.model.RopeStyle;
import jcuda.driver.CUfunction;
import jcuda.driver.CUgraph;
import jcuda.driver.CUgraphExec;
import jcuda.driver.CUstreamCaptureMode;

import static jcuda.driver.JCudaDriver.cuGraphDestroy;
import static jcuda.driver.JCudaDriver.cuGraphExecDestroy;
import static jcuda.driver.JCudaDriver.cuGraphInstantiate;
import static jcuda.driver.JCudaDriver.cuGraphLaunch;
import static jcuda.driver.JCudaDriver.cuStreamBeginCapture;
import static jcuda.driver.JCudaDriver.cuStreamEndCapture;

/**
 * Batched decode over a paged KV cache: B sequences, each at its own position with its own block
 * table, decode one token each per step; prompt tokens being prefilled are rows of the same step
 * (each at its position, sharing its sequence's block table; logits only for the rows asked for). Weights are read once per step for all B: every matmul is a
 * cuBLAS GEMM with n = B (BF16 weights × hi (+ lo) BF16 activations, f32 output, as {@link CudaPrefill});
 * RoPE + KV write and attention run per sequence through its block table (src/main/cuda/paged.cu);
 * the step ends with a greedy argmax per row on the GPU. A step is captured as a CUDA graph per
 * padded batch size (1, 2, 4, ... maxBatch; padding rows decode token 0 at position 0 into the
 * reserved block 0), inputs live in device buffers uploaded before each replay; steps with prompt rows
 * run eagerly.
 *
 * <p>The pool: {@code blocks} blocks of {@code blockSize} positions per layer, f32 keys and values
 * ({@code (layers, blocks · blockSize, kvDim)}); block 0 is reserved for padding rows. Which blocks a
 * sequence owns is decided by {@link BatchScheduler}. Not thread-safe: one scheduler thread drives it.
 */
final class BatchDecoder implements BatchScheduler.StepRunner {

    private final CudaForward forward;
    private final CudaContext context;
    private final DeviceWeights weights;
    private final MatrixKernels matrices;
    private final ModelConfig config;
    final int maxBatch;
    final int blockSize;
    final int blocks;
    final int maxBlocksPerSequence;
    final int maxRows;                    // decode rows + prompt rows of one step
    private final CudaPrefill.Precision precision;
    private final int queryDim;
    private final int kvDim;
    private final long poolRows;
    private final CUfunction rmsnorm;
    private final CUfunction swiglu;
    private final CUfunction rope;
    private final CUfunction attention;
    private final Argmax argmax;
    private final CUfunction gatherRows;
    private final List<DeviceBuffer> buffers = new ArrayList<>();
    private final DeviceBuffer keyPool;   // (layers, poolRows, kvDim) f32
    private final DeviceBuffer valuePool;
    private final DeviceBuffer tokens;    // (maxBatch) int32 in
    private final DeviceBuffer positions; // (maxBatch) int32 in
    private final DeviceBuffer table;     // (maxBatch, maxBlocksPerSequence) int32 in
    private final DeviceBuffer next;      // (maxBatch) int32 out: the greedy token of each output row
    private final DeviceBuffer outIndex;  // (maxBatch) int32 in: which rows give logits
    private final DeviceBuffer xOut;      // (maxBatch, dim) f32: those rows' residual stream
    private final DeviceBuffer x;         // (maxBatch, dim) f32
    private final DeviceBuffer hi;
    private final DeviceBuffer lo;
    private final DeviceBuffer qkv;
    private final DeviceBuffer q;
    private final DeviceBuffer gateUp;
    private final DeviceBuffer logits;    // (maxBatch, vocab) f32
    private final Map<Integer, CUgraphExec> graphs = new HashMap<>();
    private final java.util.Set<Integer> eagerOnce = new java.util.HashSet<>();
    private boolean useGraphs = !Boolean.getBoolean("ensemble.cuda.batch.noGraphs");

    BatchDecoder(CudaForward forward, int maxBatch, int prefillRows, int blockSize, int blocks, int maxSequence, CudaPrefill.Precision precision) {
        this.forward = forward;
        this.context = forward.context();
        this.weights = forward.weights();
        if (forward.gemm() == null) {
            throw new IllegalStateException("batched decode needs a GEMM: " + forward.prefillDescription());
        }
        this.matrices = forward.matrices();
        this.config = weights.config;
        this.maxBatch = ceilPowerOfTwo(maxBatch);
        this.blockSize = blockSize;
        this.blocks = blocks;
        this.maxBlocksPerSequence = (maxSequence + blockSize - 1) / blockSize;
        this.maxRows = this.maxBatch + prefillRows;
        this.precision = precision;
        this.queryDim = config.heads() * config.headDim();
        this.kvDim = config.kvHeads() * config.headDim();
        this.poolRows = (long) blocks * blockSize;
        context.makeCurrent();
        this.rmsnorm = context.function("prefill", "rmsnorm_split_bf16");
        this.swiglu = context.function("prefill", "swiglu_split_bf16");
        this.rope = context.function("paged", "rope_kv_paged");
        this.attention = context.function("attention", "attention_paged");
        this.gatherRows = context.function("paged", "gather_rows");
        int n = maxRows;
        int outs = this.maxBatch;
        long maxK = Math.max(Math.max(config.dim(), queryDim), config.hiddenDim());
        try {
            argmax = new Argmax(context, config.vocabSize(), outs);
            keyPool = allocate(4L * config.layers() * poolRows * kvDim);
            valuePool = allocate(4L * config.layers() * poolRows * kvDim);
            tokens = allocate(4L * n);
            positions = allocate(4L * n);
            table = allocate(4L * n * maxBlocksPerSequence);
            next = allocate(4L * outs);
            outIndex = allocate(4L * outs);
            xOut = allocate(4L * outs * config.dim());
            x = allocate(4L * n * config.dim());
            hi = allocate(2L * n * maxK);
            lo = allocate(2L * n * maxK);
            qkv = allocate(4L * n * weights.qkvRows());
            q = allocate(4L * n * queryDim);
            gateUp = allocate(8L * n * config.hiddenDim());
            logits = allocate(4L * outs * config.vocabSize());
            table.zero();
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

    @Override
    public int maxBatch() {
        return maxBatch;
    }

    @Override
    public int maxRows() {
        return maxRows;
    }

    @Override
    public int vocabSize() {
        return config.vocabSize();
    }

    /**
     * As {@link #step(int, int[], int[], int[][], int, int[])}, and copies the logits of outputs
     * {@code 0..logitsOut.length-1} into new arrays {@code logitsOut[i]} (vocab floats each), in one copy:
     * the rows to sample on the host, which the caller puts first among the outputs.
     */
    @Override
    public int[] step(int rows, int[] tokenIn, int[] positionIn, int[][] tableIn, int outs, int[] outRows, float[][] logitsOut) {
        int[] greedy = step(rows, tokenIn, positionIn, tableIn, outs, outRows);
        int wanted = logitsOut == null ? 0 : logitsOut.length;
        if (wanted > outs) {
            throw new IllegalArgumentException("logits of " + wanted + " outputs asked for, the step has " + outs);
        }
        if (wanted > 0) {
            int vocab = config.vocabSize();
            float[] flat = new float[wanted * vocab];
            logits.slice(0, 4L * flat.length).download(flat);
            for (int i = 0; i < wanted; i++) {
                logitsOut[i] = java.util.Arrays.copyOfRange(flat, i * vocab, (i + 1) * vocab);
            }
        }
        return greedy;
    }

    /**
     * One step over {@code rows} rows: row r runs {@code tokenIn[r]} at {@code positionIn[r]} with block
     * table {@code tableIn[r]} (whose blocks must cover the position; the rows of a prompt share one);
     * returns the greedy next token of rows {@code outRows[0..outs)} (synchronizes). A step of decode
     * rows only ({@code outs == rows}, outRows the identity) replays a CUDA graph of its padded size.
     */
    int[] step(int rows, int[] tokenIn, int[] positionIn, int[][] tableIn, int outs, int[] outRows) {
        if (rows <= 0 || rows > maxRows || outs <= 0 || outs > maxBatch) {
            throw new IllegalArgumentException("a step holds 1.." + maxRows + " rows and 1.." + maxBatch + " outputs, got "
                    + rows + " and " + outs);
        }
        context.makeCurrent();
        boolean decodeOnly = outs == rows;
        for (int i = 0; decodeOnly && i < outs; i++) {
            decodeOnly = outRows[i] == i;
        }
        int padded = decodeOnly ? ceilPowerOfTwo(rows) : rows;
        int paddedOuts = decodeOnly ? padded : outs;
        int[] t = new int[padded];
        int[] p = new int[padded];
        int[] flat = new int[padded * maxBlocksPerSequence]; // padding rows: block 0, position 0
        for (int r = 0; r < rows; r++) {
            t[r] = tokenIn[r];
            p[r] = positionIn[r];
            System.arraycopy(tableIn[r], 0, flat, r * maxBlocksPerSequence, Math.min(tableIn[r].length, maxBlocksPerSequence));
        }
        int[] o = new int[paddedOuts];
        for (int i = 0; i < paddedOuts; i++) {
            o[i] = i < outs ? outRows[i] : i;
        }
        context.synchronize();
        tokens.slice(0, 4L * padded).upload(t);
        positions.slice(0, 4L * padded).upload(p);
        table.slice(0, 4L * flat.length).upload(flat);
        outIndex.slice(0, 4L * paddedOuts).upload(o);
        if (useGraphs && decodeOnly) {
            CUgraphExec graph = graphs.get(padded);
            if (graph == null && eagerOnce.add(padded)) {
                enqueue(padded, paddedOuts); // the first step of a size runs eagerly: cuBLAS picks and sets up its kernels outside capture
            } else if (graph == null) {
                try {
                    graph = capture(padded);
                    graphs.put(padded, graph);
                } catch (RuntimeException e) {
                    System.getLogger(BatchDecoder.class.getName()).log(System.Logger.Level.WARNING,
                            "batched decode runs without CUDA graphs: capture failed: " + e.getMessage());
                    useGraphs = false;
                }
            }
            if (graph != null) {
                cuGraphLaunch(graph, context.stream());
            } else if (!useGraphs) {
                enqueue(padded, paddedOuts);
            }
        } else {
            enqueue(padded, paddedOuts);
        }
        context.synchronize();
        int[] out = new int[paddedOuts];
        next.slice(0, 4L * paddedOuts).download(out);
        return java.util.Arrays.copyOf(out, outs);
    }

    private CUgraphExec capture(int n) {
        cuStreamBeginCapture(context.stream(), CUstreamCaptureMode.CU_STREAM_CAPTURE_MODE_THREAD_LOCAL);
        CUgraph graph = new CUgraph();
        try {
            enqueue(n, n);
        } finally {
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

    private void enqueue(int n, int outs) {
        DeviceBuffer lower = precision == CudaPrefill.Precision.SPLIT ? lo : null;
        int dim = config.dim();
        int hidden = config.hiddenDim();
        float eps = config.rmsNormEps();
        float scale = (float) (1.0 / Math.sqrt(config.headDim()));
        int ropeThreads = (config.heads() + config.kvHeads()) * config.headDim() / 2 + kvDim;
        long layerBytes = 4L * poolRows * kvDim;
        matrices.gatherRows(weights.embedding, tokens, x, n);
        for (int l = 0; l < config.layers(); l++) {
            DeviceWeights.Layer layer = weights.layers.get(l);
            DeviceBuffer keys = keyPool.slice(l * layerBytes, layerBytes);
            DeviceBuffer values = valuePool.slice(l * layerBytes, layerBytes);
            context.launch(rmsnorm, n, 256, x, layer.attentionNorm(), eps, hi, lower, dim);
            matmul(layer.qkv(), weights.qkvRows(), dim, qkv, n, false, lower);
            context.launch2d(rope, (ropeThreads + 255) / 256, n, 256, qkv, layer.qkvBias(), weights.inverseFrequencies,
                    positions, table, maxBlocksPerSequence, blockSize, q, keys, values,
                    config.heads(), config.kvHeads(), config.headDim(),
                    config.ropeStyle() == RopeStyle.INTERLEAVED ? 1 : 0, weights.pairOrderedQkv ? 1 : 0);
            context.launch2d(attention, config.heads(), n, 128, q, keys, values, positions, table, maxBlocksPerSequence,
                    blockSize, hi, lower, config.heads(), config.kvHeads(), config.headDim(), scale);
            matmul(layer.wo(), dim, queryDim, x, n, true, lower);
            context.launch(rmsnorm, n, 256, x, layer.ffnNorm(), eps, hi, lower, dim);
            matmul(layer.gateUp(), 2 * hidden, dim, gateUp, n, false, lower);
            context.launch2d(swiglu, (hidden + 255) / 256, n, 256, gateUp, hidden, hi, lower);
            matmul(layer.down(), dim, hidden, x, n, true, lower);
        }
        context.launch2d(gatherRows, (dim + 255) / 256, outs, 256, x, outIndex, xOut, dim);
        context.launch(rmsnorm, outs, 256, xOut, weights.outputNorm, eps, hi, lower, dim);
        matmul(weights.output, config.vocabSize(), dim, logits, outs, false, lower);
        argmax.launchRows(logits, config.vocabSize(), outs, next, null);
    }

    private void matmul(DeviceMatrix w, int m, int k, DeviceBuffer out, int n, boolean accumulate, DeviceBuffer lower) {
        matrices.matmul(w, m, k, hi, lower, out, n, accumulate); // BF16 as is, other types decoded first (MatrixKernels)
    }

    static int ceilPowerOfTwo(int n) {
        return n <= 1 ? 1 : Integer.highestOneBit(n - 1) << 1;
    }

    @Override
    public boolean graphs() {
        return useGraphs;
    }

    @Override
    public void close() {
        context.makeCurrent();
        context.synchronize();
        graphs.values().forEach(g -> cuGraphExecDestroy(g));
        graphs.clear();
        buffers.forEach(DeviceBuffer::free);
        buffers.clear();
        if (argmax != null) {
            argmax.close();
        }
    }
}
