package ai.ensemble.engine.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import ai.ensemble.engine.cpu.Rope;
import ai.ensemble.engine.model.LlamaWeights;
import ai.ensemble.engine.model.ModelConfig;
import ai.ensemble.engine.tensor.FloatTensor;
import ai.ensemble.engine.tensor.MappedTensor;
import ai.ensemble.engine.tensor.TensorType;

/**
 * A model's weights in GPU memory, laid out for the decode kernels: matrices stay BF16 as in the
 * file, q/k/v are stacked into one (q + 2·kv, dim) matrix and gate/up into one (2·hidden, dim), so
 * each is one GEMV; norms, biases and rotary frequencies are f32. The q and k rows are
 * <em>pair-ordered</em>: within each head, row 2m holds rotary element a(m) and row 2m + 1 element
 * b(m) (m and m + headDim/2 for the HALF style, 2m and 2m + 1 for INTERLEAVED), so a warp of the
 * decode GEMV owns a whole rotary pair and applies RoPE in its epilogue ({@link #sourceRow}).
 */
final class DeviceWeights implements AutoCloseable {

    /** One transformer block on the device. */
    record Layer(
            DeviceBuffer attentionNorm, // (dim) f32
            DeviceBuffer qkv,           // (heads·headDim + 2·kvHeads·headDim, dim) bf16, q and k rows pair-ordered
            DeviceBuffer qkvBias,       // (heads·headDim + 2·kvHeads·headDim) f32 in the same order, or null
            DeviceBuffer wo,            // (dim, heads·headDim) bf16
            DeviceBuffer ffnNorm,       // (dim) f32
            DeviceBuffer gateUp,        // (2·hiddenDim, dim) bf16, gate rows first
            DeviceBuffer down) {        // (dim, hiddenDim) bf16
    }

    final ModelConfig config;
    /** Always true: q and k rows of {@link Layer#qkv} are in pair order (see the class comment). */
    final boolean pairOrderedQkv = true;
    final DeviceBuffer embedding;          // (vocab, dim) bf16
    final DeviceBuffer output;             // (vocab, dim) bf16; the embedding itself when tied
    final DeviceBuffer outputNorm;         // (dim) f32
    final DeviceBuffer inverseFrequencies; // (headDim / 2) f32
    final List<Layer> layers;
    private final List<DeviceBuffer> allocations;

    private DeviceWeights(ModelConfig config, DeviceBuffer embedding, DeviceBuffer output, DeviceBuffer outputNorm,
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

    /** Bytes of weights one decode step reads: every matrix once, one embedding row, the f32 vectors. */
    long bytesPerToken() {
        long dim = config.dim();
        long queryDim = (long) config.heads() * config.headDim();
        long matrices = qkvRows() * dim + dim * queryDim + 3L * config.hiddenDim() * dim;
        long vectors = 2 * dim + (config.attentionBias() ? qkvRows() : 0);
        return config.layers() * (2 * matrices + 4 * vectors) + 2L * config.vocabSize() * dim + 2 * dim + 4 * dim;
    }

    /** Uploads weights whose matrices and embedding are BF16 tensors backed by native memory. */
    static DeviceWeights upload(ModelConfig config, LlamaWeights weights) {
        List<DeviceBuffer> allocations = new ArrayList<>();
        try {
            DeviceBuffer embedding = matrix(allocations, "token_embd", weights.tokenEmbedding());
            DeviceBuffer output = weights.output() == weights.tokenEmbedding()
                    ? embedding : matrix(allocations, "output", weights.output());
            List<Layer> layers = new ArrayList<>();
            for (int l = 0; l < config.layers(); l++) {
                LlamaWeights.Layer layer = weights.layers().get(l);
                String prefix = "layers." + l + ".";
                DeviceBuffer bias = layer.bq() == null ? null
                        : vector(allocations, pairOrdered(config, concat(floats(layer.bq()), floats(layer.bk()), floats(layer.bv()))));
                layers.add(new Layer(
                        vector(allocations, floats(layer.attentionNorm())),
                        qkv(allocations, prefix + "qkv", config, layer.wq(), layer.wk(), layer.wv()),
                        bias,
                        matrix(allocations, prefix + "wo", layer.wo()),
                        vector(allocations, floats(layer.ffnNorm())),
                        stacked(allocations, prefix + "gate_up", layer.wGate(), layer.wUp()),
                        matrix(allocations, prefix + "w_down", layer.wDown())));
            }
            return new DeviceWeights(config, embedding, output, vector(allocations, floats(weights.outputNorm())),
                    vector(allocations, Rope.inverseFrequencies(config, weights.ropeFrequencyFactors())), layers, allocations);
        } catch (RuntimeException e) {
            allocations.forEach(DeviceBuffer::free);
            throw e;
        }
    }

    /**
     * Random BF16 weights of {@code config}'s shapes made on the device (for benchmarks of real
     * shapes without a file): a 64 MiB block of uniform values in ±0.02 is uploaded once and tiled
     * into every matrix; norms are 1. The numbers are noise; the memory traffic is the real model's.
     */
    static DeviceWeights random(ModelConfig config, long seed) {
        List<DeviceBuffer> allocations = new ArrayList<>();
        try {
            short[] block = new short[32 << 20];
            SplittableRandom random = new SplittableRandom(seed);
            for (int i = 0; i < block.length; i++) {
                block[i] = Bf16.fromFloat((float) (random.nextDouble(-1, 1) * 0.02));
            }
            DeviceBuffer source = DeviceBuffer.allocate(2L * block.length);
            allocations.add(source);
            source.upload(block);
            long dim = config.dim();
            long queryDim = (long) config.heads() * config.headDim();
            float[] ones = new float[config.dim()];
            java.util.Arrays.fill(ones, 1f);
            DeviceBuffer embedding = tiled(allocations, source, (long) config.vocabSize() * dim);
            DeviceBuffer output = config.tiedEmbeddings() ? embedding : tiled(allocations, source, (long) config.vocabSize() * dim);
            List<Layer> layers = new ArrayList<>();
            long qkvRows = (config.heads() + 2L * config.kvHeads()) * config.headDim();
            for (int l = 0; l < config.layers(); l++) {
                layers.add(new Layer(
                        vector(allocations, ones),
                        tiled(allocations, source, qkvRows * dim),
                        null,
                        tiled(allocations, source, dim * queryDim),
                        vector(allocations, ones),
                        tiled(allocations, source, 2L * config.hiddenDim() * dim),
                        tiled(allocations, source, dim * config.hiddenDim())));
            }
            allocations.remove(source);
            source.free();
            return new DeviceWeights(config, embedding, output, vector(allocations, ones),
                    vector(allocations, Rope.inverseFrequencies(config, null)), layers, allocations);
        } catch (RuntimeException e) {
            allocations.forEach(DeviceBuffer::free);
            throw e;
        }
    }

    private static DeviceBuffer tiled(List<DeviceBuffer> allocations, DeviceBuffer source, long elements) {
        DeviceBuffer buffer = DeviceBuffer.allocate(2 * elements);
        allocations.add(buffer);
        long shift = (allocations.size() * 4099L * 16) % source.bytes(); // a different phase per tensor
        for (long done = 0; done < buffer.bytes(); ) {
            long from = (done + shift) % source.bytes();
            long n = Math.min(buffer.bytes() - done, source.bytes() - from);
            buffer.copyFrom(source, from, done, n);
            done += n;
        }
        return buffer;
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

    /** q, k, v stacked and pair-ordered in host memory, then uploaded at once. */
    private static DeviceBuffer qkv(List<DeviceBuffer> allocations, String name, ModelConfig config, FloatTensor wq,
                                    FloatTensor wk, FloatTensor wv) {
        MemorySegment q = bf16(name, wq).segment();
        MemorySegment k = bf16(name, wk).segment();
        MemorySegment v = bf16(name, wv).segment();
        long rowBytes = 2L * config.dim();
        long total = q.byteSize() + k.byteSize() + v.byteSize();
        int rows = Math.toIntExact(total / rowBytes);
        DeviceBuffer buffer = DeviceBuffer.allocate(total);
        allocations.add(buffer);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment staging = arena.allocate(total, 16);
            long qRows = q.byteSize() / rowBytes;
            long kRows = k.byteSize() / rowBytes;
            for (int r = 0; r < rows; r++) {
                long source = sourceRow(config, r);
                MemorySegment from = source < qRows ? q : source < qRows + kRows ? k : v;
                long within = source < qRows ? source : source < qRows + kRows ? source - qRows : source - qRows - kRows;
                MemorySegment.copy(from, within * rowBytes, staging, r * rowBytes, rowBytes);
            }
            buffer.upload(0, staging);
        }
        return buffer;
    }

    private static DeviceBuffer matrix(List<DeviceBuffer> allocations, String name, FloatTensor tensor) {
        return stacked(allocations, name, tensor);
    }

    private static DeviceBuffer stacked(List<DeviceBuffer> allocations, String name, FloatTensor... parts) {
        long bytes = 0;
        for (FloatTensor part : parts) {
            bytes += bf16(name, part).segment().byteSize();
        }
        DeviceBuffer buffer = DeviceBuffer.allocate(bytes);
        allocations.add(buffer);
        long offset = 0;
        for (FloatTensor part : parts) {
            MappedTensor tensor = bf16(name, part);
            buffer.upload(offset, tensor.segment());
            offset += tensor.segment().byteSize();
        }
        return buffer;
    }

    private static MappedTensor bf16(String name, FloatTensor tensor) {
        if (tensor instanceof MappedTensor mapped && tensor.type() == TensorType.BF16 && mapped.segment().isNative()) {
            return mapped;
        }
        throw new IllegalArgumentException("the cuda backend reads BF16 weights for now; weight " + name + " is "
                + tensor.type() + (tensor instanceof MappedTensor ? "" : " on the Java heap"));
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
