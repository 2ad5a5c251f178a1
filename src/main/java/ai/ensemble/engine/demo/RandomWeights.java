package ai.ensemble.engine.demo;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import ai.ensemble.engine.model.LlamaWeights;
import ai.ensemble.engine.model.ModelConfig;
import ai.ensemble.engine.tensor.ArrayFloatTensor;
import ai.ensemble.engine.tensor.FloatTensor;
import ai.ensemble.engine.tensor.MappedTensor;
import ai.ensemble.engine.tensor.TensorType;

/**
 * Random weights for any Llama-family shape, for the demo model and for benchmarks of real shapes
 * without a real file. Matrices are uniform in ±amplitude, norms 1. Every tensor (and every chunk
 * of one) draws from its own generator seeded from (seed, tensor, chunk), so the weights are the
 * same for a seed whatever the number of threads. F32 matrices live on the heap
 * ({@link ArrayFloatTensor}); BF16 and Q8_0 in native memory that the garbage collector frees.
 */
public final class RandomWeights {

    private static final int CHUNK = 1 << 20;

    private final ModelConfig config;
    private final TensorType type;
    private final long seed;
    private final float amplitude;
    private int tensorIndex;

    private RandomWeights(ModelConfig config, TensorType type, long seed, float amplitude) {
        this.config = config;
        this.type = type;
        this.seed = seed;
        this.amplitude = amplitude;
    }

    /** Weights of {@code config}'s shapes, matrices in {@code type} (F32, BF16 or Q8_0). */
    public static LlamaWeights create(ModelConfig config, TensorType type, long seed, float amplitude) {
        if (type != TensorType.F32 && type != TensorType.BF16 && type != TensorType.Q8_0) {
            throw new IllegalArgumentException("random weights are made in F32, BF16 or Q8_0, not " + type);
        }
        return new RandomWeights(config, type, seed, amplitude).build();
    }

    private LlamaWeights build() {
        long dim = config.dim();
        long hidden = config.hiddenDim();
        long queryDim = (long) config.heads() * config.headDim();
        long kvDim = (long) config.kvHeads() * config.headDim();
        FloatTensor embedding = matrix(config.vocabSize() * dim);
        List<LlamaWeights.Layer> layers = new ArrayList<>();
        for (int l = 0; l < config.layers(); l++) {
            boolean bias = config.attentionBias();
            layers.add(new LlamaWeights.Layer(
                    ones(dim),
                    matrix(queryDim * dim), matrix(kvDim * dim), matrix(kvDim * dim),
                    bias ? vector(queryDim) : null, bias ? vector(kvDim) : null, bias ? vector(kvDim) : null,
                    matrix(dim * queryDim),
                    ones(dim),
                    matrix(hidden * dim), matrix(hidden * dim), matrix(dim * hidden)));
        }
        FloatTensor output = config.tiedEmbeddings() ? embedding : matrix(config.vocabSize() * dim);
        return new LlamaWeights(embedding, layers, ones(dim), output);
    }

    private static FloatTensor ones(long n) {
        float[] values = new float[Math.toIntExact(n)];
        java.util.Arrays.fill(values, 1f);
        return new ArrayFloatTensor(values);
    }

    private FloatTensor vector(long n) {
        float[] values = new float[Math.toIntExact(n)];
        fill(values, 0, values.length, generator(tensorIndex++, 0));
        return new ArrayFloatTensor(values);
    }

    private FloatTensor matrix(long size) {
        int tensor = tensorIndex++;
        int chunks = Math.toIntExact((size + CHUNK - 1) / CHUNK);
        return switch (type) {
            case F32 -> {
                float[] values = new float[Math.toIntExact(size)];
                IntStream.range(0, chunks).parallel().forEach(c -> {
                    int from = c * CHUNK;
                    fill(values, from, (int) Math.min(size, (long) from + CHUNK), generator(tensor, c));
                });
                yield new ArrayFloatTensor(values);
            }
            case BF16 -> {
                MemorySegment segment = Arena.ofAuto().allocate(size * 2, 64);
                IntStream.range(0, chunks).parallel().forEach(c -> {
                    SplittableRandom random = generator(tensor, c);
                    long end = Math.min(size, (long) (c + 1) * CHUNK);
                    for (long i = (long) c * CHUNK; i < end; i++) {
                        segment.set(ValueLayout.JAVA_SHORT_UNALIGNED, i * 2, (short) (Float.floatToRawIntBits(uniform(random)) >>> 16));
                    }
                });
                yield MappedTensor.of(TensorType.BF16, segment, size);
            }
            case Q8_0 -> {
                // Blocks of 32: an fp16 scale, then 32 int8; the scale maps ±127 onto ±amplitude.
                long blocks = size / 32;
                MemorySegment segment = Arena.ofAuto().allocate(blocks * 34, 64);
                short scale = Float.floatToFloat16(amplitude / 127f);
                IntStream.range(0, chunks).parallel().forEach(c -> {
                    SplittableRandom random = generator(tensor, c);
                    long end = Math.min(blocks, (long) (c + 1) * CHUNK / 32);
                    for (long b = (long) c * CHUNK / 32; b < end; b++) {
                        segment.set(ValueLayout.JAVA_SHORT_UNALIGNED, b * 34, scale);
                        for (int j = 0; j < 32; j++) {
                            segment.set(ValueLayout.JAVA_BYTE, b * 34 + 2 + j, (byte) (random.nextInt(255) - 127));
                        }
                    }
                });
                yield MappedTensor.of(TensorType.Q8_0, segment, size);
            }
            default -> throw new IllegalStateException("unreachable: " + type);
        };
    }

    private void fill(float[] values, int from, int to, SplittableRandom random) {
        for (int i = from; i < to; i++) {
            values[i] = uniform(random);
        }
    }

    private float uniform(SplittableRandom random) {
        return (random.nextFloat() * 2f - 1f) * amplitude;
    }

    private SplittableRandom generator(int tensor, int chunk) {
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + tensor * 1_000_003L + chunk);
    }
}
