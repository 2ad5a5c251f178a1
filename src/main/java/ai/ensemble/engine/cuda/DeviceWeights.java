package ai.ensemble.engine.cuda;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import ai.ensemble.engine.cpu.Rope;
import ai.ensemble.engine.model.LlamaWeights;
import ai.ensemble.engine.model.ModelConfig;
import ai.ensemble.engine.tensor.FloatTensor;
import ai.ensemble.engine.tensor.TensorType;

/**
 * A model's weights in GPU memory, laid out for the decode kernels: matrices ({@link DeviceMatrix})
 * stay in their file's type where the kernels read it (BF16, F16, Q8_0 repacked with its scales
 * apart, F32), so a model may mix types, as GGUF Q8_0 files do (rows that are not whole blocks stay
 * F32 there); q/k/v are stacked into one (q + 2·kv, dim) matrix and gate/up into one (2·hidden, dim),
 * so each is one GEMV (parts of different types are stacked as F32, logged); norms, biases and
 * rotary frequencies are f32. The q and k rows are <em>pair-ordered</em>: within each head, row 2m
 * holds rotary element a(m) and row 2m + 1 element b(m) (m and m + headDim/2 for the HALF style, 2m
 * and 2m + 1 for INTERLEAVED), so a warp of the decode GEMV owns a whole rotary pair and applies
 * RoPE in its epilogue ({@link #sourceRow}); a Q8_0 row (dim/32 blocks) moves as a whole, scales included.
 */
final class DeviceWeights implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(DeviceWeights.class.getName());

    /** One transformer block on the device. */
    record Layer(
            DeviceBuffer attentionNorm, // (dim) f32
            DeviceMatrix qkv,           // (heads·headDim + 2·kvHeads·headDim, dim), q and k rows pair-ordered
            DeviceBuffer qkvBias,       // (heads·headDim + 2·kvHeads·headDim) f32 in the same order, or null
            DeviceMatrix wo,            // (dim, heads·headDim)
            DeviceBuffer ffnNorm,       // (dim) f32
            DeviceMatrix gateUp,        // (2·hiddenDim, dim), gate rows first
            DeviceMatrix down) {        // (dim, hiddenDim)
    }

    final ModelConfig config;
    /** Always true: q and k rows of {@link Layer#qkv} are in pair order (see the class comment). */
    final boolean pairOrderedQkv = true;
    final DeviceMatrix embedding;          // (vocab, dim)
    final DeviceMatrix output;             // (vocab, dim); the embedding itself when tied
    final DeviceBuffer outputNorm;         // (dim) f32
    final DeviceBuffer inverseFrequencies; // (headDim / 2) f32
    final List<Layer> layers;
    private final List<DeviceBuffer> allocations;

    private DeviceWeights(ModelConfig config, DeviceMatrix embedding, DeviceMatrix output, DeviceBuffer outputNorm,
                          DeviceBuffer inverseFrequencies, List<Layer> layers, List<DeviceBuffer> allocations) {
        this.config = config;
        this.embedding = embedding;
        this.output = output;
        this.outputNorm = outputNorm;
        this.inverseFrequencies = inverseFrequencies;
        this.layers = List.copyOf(layers);
        this.allocations = allocations;
    }

    int qkvRows() {
        return (config.heads() + 2 * config.kvHeads()) * config.headDim();
    }

    /**
     * Bytes of weights one decode step reads, as stored: every matrix once (Q8_0: 34 bytes per 32
     * weights), one embedding row, the f32 vectors.
     */
    long bytesPerToken() {
        long matrices = 0;
        for (Layer layer : layers) {
            matrices += layer.qkv().bytes() + layer.wo().bytes() + layer.gateUp().bytes() + layer.down().bytes();
        }
        return matrices + vectorBytesPerToken(config) + output.bytes() + embedding.type().bytesFor(config.dim());
    }

    /** {@link #bytesPerToken} of {@code config} with every matrix in {@code type}. */
    static long bytesPerToken(ModelConfig config, TensorType type) {
        long dim = config.dim();
        long queryDim = (long) config.heads() * config.headDim();
        long qkvRows = (config.heads() + 2L * config.kvHeads()) * config.headDim();
        long matrices = type.bytesFor(qkvRows * dim) + type.bytesFor(dim * queryDim) + type.bytesFor(2L * config.hiddenDim() * dim)
                + type.bytesFor(dim * config.hiddenDim());
        return config.layers() * matrices + vectorBytesPerToken(config) + type.bytesFor((long) config.vocabSize() * dim)
                + type.bytesFor(dim);
    }

    private static long vectorBytesPerToken(ModelConfig config) {
        long qkvRows = (config.heads() + 2L * config.kvHeads()) * config.headDim();
        long vectors = 2L * config.dim() + (config.attentionBias() ? qkvRows : 0);
        return config.layers() * 4 * vectors + 4L * config.dim();
    }

    /** Uploads weights whose matrices are BF16, F16, F32 or Q8_0 tensors (mapped or on the heap). */
    static DeviceWeights upload(ModelConfig config, LlamaWeights weights) {
        List<DeviceBuffer> allocations = new ArrayList<>();
        try {
            int dim = config.dim();
            DeviceMatrix embedding = matrix(allocations, "token_embd", config.vocabSize(), dim, null, weights.tokenEmbedding());
            DeviceMatrix output = weights.output() == weights.tokenEmbedding()
                    ? embedding : matrix(allocations, "output", config.vocabSize(), dim, null, weights.output());
            List<Layer> layers = new ArrayList<>();
            int queryDim = config.heads() * config.headDim();
            for (int l = 0; l < config.layers(); l++) {
                LlamaWeights.Layer layer = weights.layers().get(l);
                String prefix = "layers." + l + ".";
                DeviceBuffer bias = layer.bq() == null ? null
                        : vector(allocations, pairOrdered(config, concat(floats(layer.bq()), floats(layer.bk()), floats(layer.bv()))));
                int qkvRows = (config.heads() + 2 * config.kvHeads()) * config.headDim();
                layers.add(new Layer(
                        vector(allocations, floats(layer.attentionNorm())),
                        matrix(allocations, prefix + "qkv", qkvRows, dim, r -> sourceRow(config, r), layer.wq(), layer.wk(), layer.wv()),
                        bias,
                        matrix(allocations, prefix + "wo", dim, queryDim, null, layer.wo()),
                        vector(allocations, floats(layer.ffnNorm())),
                        matrix(allocations, prefix + "gate_up", 2 * config.hiddenDim(), dim, null, layer.wGate(), layer.wUp()),
                        matrix(allocations, prefix + "w_down", dim, config.hiddenDim(), null, layer.wDown())));
            }
            return new DeviceWeights(config, embedding, output, vector(allocations, floats(weights.outputNorm())),
                    vector(allocations, Rope.inverseFrequencies(config, weights.ropeFrequencyFactors())), layers, allocations);
        } catch (RuntimeException e) {
            allocations.forEach(DeviceBuffer::free);
            throw e;
        }
    }

    /**
     * Random weights of {@code config}'s shapes made on the device (for benchmarks of real shapes
     * without a file), every matrix in {@code type} (BF16 or Q8_0): a 64 MiB block of random values
     * (BF16: uniform in ±0.02; Q8_0: uniform int8 quants, and a 2 MiB block of f16 scales uniform
     * in [0.001, 0.02]/127) is uploaded once and tiled into every matrix; norms are 1. The numbers are
     * noise; the memory traffic is the real model's.
     */
    static DeviceWeights random(ModelConfig config, long seed) {
        return random(config, TensorType.BF16, seed);
    }

    static DeviceWeights random(ModelConfig config, TensorType type, long seed) {
        if (type != TensorType.BF16 && type != TensorType.Q8_0) {
            throw new IllegalArgumentException("random device weights are BF16 or Q8_0, not " + type);
        }
        List<DeviceBuffer> allocations = new ArrayList<>();
        List<DeviceBuffer> sources = new ArrayList<>();
        try {
            SplittableRandom random = new SplittableRandom(seed);
            short[] block = new short[32 << 20];
            for (int i = 0; i < block.length; i++) {
                block[i] = type == TensorType.BF16
                        ? Bf16.fromFloat((float) (random.nextDouble(-1, 1) * 0.02))
                        : (short) random.nextInt(); // two int8 quants
            }
            DeviceBuffer source = DeviceBuffer.allocate(2L * block.length);
            sources.add(source);
            source.upload(block);
            DeviceBuffer scaleSource = null;
            if (type == TensorType.Q8_0) {
                short[] scales = new short[1 << 20];
                for (int i = 0; i < scales.length; i++) {
                    scales[i] = Float.floatToFloat16((float) (random.nextDouble(0.05, 1) * 0.02 / 127));
                }
                scaleSource = DeviceBuffer.allocate(2L * scales.length);
                sources.add(scaleSource);
                scaleSource.upload(scales);
            }
            int dim = config.dim();
            int queryDim = config.heads() * config.headDim();
            float[] ones = new float[config.dim()];
            java.util.Arrays.fill(ones, 1f);
            DeviceMatrix embedding = tiled(allocations, type, source, scaleSource, config.vocabSize(), dim);
            DeviceMatrix output = config.tiedEmbeddings() ? embedding : tiled(allocations, type, source, scaleSource, config.vocabSize(), dim);
            List<Layer> layers = new ArrayList<>();
            int qkvRows = (config.heads() + 2 * config.kvHeads()) * config.headDim();
            for (int l = 0; l < config.layers(); l++) {
                layers.add(new Layer(
                        vector(allocations, ones),
                        tiled(allocations, type, source, scaleSource, qkvRows, dim),
                        null,
                        tiled(allocations, type, source, scaleSource, dim, queryDim),
                        vector(allocations, ones),
                        tiled(allocations, type, source, scaleSource, 2 * config.hiddenDim(), dim),
                        tiled(allocations, type, source, scaleSource, dim, config.hiddenDim())));
            }
            return new DeviceWeights(config, embedding, output, vector(allocations, ones),
                    vector(allocations, Rope.inverseFrequencies(config, null)), layers, allocations);
        } catch (RuntimeException e) {
            allocations.forEach(DeviceBuffer::free);
            throw e;
        } finally {
            sources.forEach(DeviceBuffer::free);
        }
    }

    private static DeviceMatrix tiled(List<DeviceBuffer> allocations, TensorType type, DeviceBuffer source, DeviceBuffer scaleSource,
                                      int rows, int cols) {
        DeviceBuffer buffer = DeviceBuffer.allocate(DeviceMatrix.bytes(type, rows, cols));
        allocations.add(buffer);
        DeviceMatrix matrix = new DeviceMatrix(buffer, type, rows, cols);
        long shift = allocations.size() * 4099L * 16; // a different phase per tensor
        if (type == TensorType.Q8_0) {
            tile(matrix.quants(), source, shift);
            tile(matrix.scales(), scaleSource, shift);
        } else {
            tile(buffer, source, shift);
        }
        return matrix;
    }

    private static void tile(DeviceBuffer buffer, DeviceBuffer source, long shift) {
        for (long done = 0; done < buffer.bytes(); ) {
            long from = (done + shift) % source.bytes();
            long n = Math.min(buffer.bytes() - done, source.bytes() - from);
            buffer.copyFrom(source, from, done, n);
            done += n;
        }
    }

    /**
     * The row of the stacked [q; k; v] (original order) that pair-ordered row {@code row} holds: in
     * the q and k heads, row h·headDim + 2m + s holds element a(m) (s = 0) or b(m) (s = 1) of head h;
     * v rows keep their place.
     */
    static int sourceRow(ModelConfig config, int row) {
        int headDim = config.headDim();
        if (row >= (config.heads() + config.kvHeads()) * headDim) {
            return row;
        }
        int h = row / headDim;
        int m = (row % headDim) / 2;
        boolean second = (row & 1) == 1;
        boolean interleaved = config.ropeStyle() == ai.ensemble.engine.model.RopeStyle.INTERLEAVED;
        int element = interleaved ? 2 * m + (second ? 1 : 0) : m + (second ? headDim / 2 : 0);
        return h * headDim + element;
    }

    static float[] pairOrdered(ModelConfig config, float[] stacked) {
        float[] out = new float[stacked.length];
        for (int r = 0; r < out.length; r++) {
            out[r] = stacked[sourceRow(config, r)];
        }
        return out;
    }

    /**
     * A matrix of {@code rows × cols} stacked from {@code parts} (row r is stacked row {@code order(r)},
     * or r where order is null), in the parts' type, F32 where they differ.
     */
    private static DeviceMatrix matrix(List<DeviceBuffer> allocations, String name, int rows, int cols,
                                       java.util.function.IntUnaryOperator order, FloatTensor... parts) {
        List<FloatTensor> list = List.of(parts);
        long elements = 0;
        for (FloatTensor part : parts) {
            elements += part.size();
        }
        if (elements != (long) rows * cols) {
            throw new IllegalArgumentException("weight " + name + " has " + elements + " elements, expected " + rows + " × " + cols);
        }
        TensorType type = DeviceMatrix.typeOf(name, list);
        if (list.stream().anyMatch(p -> p.type() != type)) {
            LOG.log(System.Logger.Level.INFO, "cuda backend: weight {0} stacks parts of types {1}; uploaded as F32",
                    name, list.stream().map(FloatTensor::type).toList());
        }
        try {
            DeviceMatrix.checkShape(type, rows, cols);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("weight " + name + ": " + e.getMessage(), e);
        }
        DeviceMatrix matrix = DeviceMatrix.upload(type, rows, cols, list, order);
        allocations.add(matrix.buffer());
        return matrix;
    }

    private static DeviceBuffer vector(List<DeviceBuffer> allocations, float[] values) {
        DeviceBuffer buffer = DeviceBuffer.ofFloats(values);
        allocations.add(buffer);
        return buffer;
    }

    private static float[] floats(FloatTensor tensor) {
        float[] values = new float[Math.toIntExact(tensor.size())];
        tensor.copyTo(0, values, 0, values.length);
        return values;
    }

    private static float[] concat(float[]... parts) {
        int n = 0;
        for (float[] part : parts) {
            n += part.length;
        }
        float[] all = new float[n];
        int at = 0;
        for (float[] part : parts) {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        return all;
    }

    @Override
    public void close() {
        allocations.forEach(DeviceBuffer::free);
        allocations.clear();
    }
}
