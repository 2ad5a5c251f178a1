package ai.ensemble.engine.cpu;

import java.util.Arrays;
import java.util.stream.IntStream;

import ai.ensemble.engine.model.LlamaWeights;
import ai.ensemble.engine.model.LoadedModel;
import ai.ensemble.engine.model.ModelConfig;
import ai.ensemble.engine.tensor.FloatTensor;

/**
 * The Llama-family forward pass (Llama 2/3, Mistral, Qwen2) on the CPU: RMSNorm, q/k/v projections
 * (with Qwen2's biases), rotary embeddings, grouped-query attention over the cache, SwiGLU MLP,
 * final norm and logits. Matmuls run their rows in parallel across cores (reading each weight row
 * once for all tokens of a batch) and attention runs its (token, head) pairs in parallel.
 */
public final class CpuForward implements Forward {

    /** Prompts longer than this run in several batches, which bounds the activation buffers. */
    static final int MAX_BATCH = 64;

    private final ModelConfig config;
    private final LlamaWeights weights;
    private final Rope rope;
    private final int queryDim;               // heads * headDim
    private final int kvDim;                  // kvHeads * headDim
    private final float[][] attentionNorms;   // (layer, dim)
    private final float[][] ffnNorms;         // (layer, dim)
    private final float[] outputNorm;         // (dim)
    private final float[][] queryBiases;      // (layer, heads * headDim), rows null without biases
    private final float[][] keyBiases;        // (layer, kvHeads * headDim), rows null without biases
    private final float[][] valueBiases;      // (layer, kvHeads * headDim), rows null without biases

    public CpuForward(ModelConfig config, LlamaWeights weights) {
        this.config = config;
        this.weights = weights;
        this.queryDim = config.heads() * config.headDim();
        this.kvDim = config.kvHeads() * config.headDim();
        WeightShapes.check(config, weights);
        this.rope = new Rope(config, weights.ropeFrequencyFactors());
        int layers = config.layers();
        this.attentionNorms = new float[layers][];
        this.ffnNorms = new float[layers][];
        this.queryBiases = new float[layers][];
        this.keyBiases = new float[layers][];
        this.valueBiases = new float[layers][];
        for (int l = 0; l < layers; l++) {
            LlamaWeights.Layer layer = weights.layers().get(l);
            attentionNorms[l] = toArray(layer.attentionNorm());
            ffnNorms[l] = toArray(layer.ffnNorm());
            queryBiases[l] = toArray(layer.bq());
            keyBiases[l] = toArray(layer.bk());
            valueBiases[l] = toArray(layer.bv());
        }
        this.outputNorm = toArray(weights.outputNorm());
    }

    public static CpuForward of(LoadedModel model) {
        return new CpuForward(model.config(), model.weights());
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    @Override
    public String backend() {
        return "cpu";
    }

    @Override
    public KvCache newCache(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("KV cache capacity must be positive, got " + capacity);
        }
        return new ArrayKvCache(config.layers(), capacity, kvDim);
    }

    @Override
    public float[][] logitsAt(int[] tokens, int startPosition, KvCache cache, int[] rows) {
        ArrayKvCache kv = checkCall(tokens, startPosition, cache, rows);
        float[][] logits = new float[rows.length][];
        for (int batchStart = 0; batchStart < tokens.length; batchStart += MAX_BATCH) {
            int n = Math.min(MAX_BATCH, tokens.length - batchStart);
            float[][] x = run(Arrays.copyOfRange(tokens, batchStart, batchStart + n), startPosition + batchStart, kv);
            int from = batchStart;
            int[] wanted = IntStream.range(0, rows.length).filter(i -> rows[i] >= from && rows[i] < from + n).toArray();
            if (wanted.length == 0) {
                continue;
            }
            float[][] normalised = new float[wanted.length][config.dim()]; // (row, dim)
            float[][] out = new float[wanted.length][config.vocabSize()];  // (row, vocab)
            for (int i = 0; i < wanted.length; i++) {
                VectorMath.rmsNorm(normalised[i], x[rows[wanted[i]] - batchStart], outputNorm, config.rmsNormEps());
            }
            Matmul.multiply(weights.output(), normalised, out, config.vocabSize(), config.dim());
            for (int i = 0; i < wanted.length; i++) {
                logits[wanted[i]] = out[i];
            }
        }
        return logits;
    }

    /** Runs n tokens through every layer and returns the residual stream after the last: (n, dim). */
    private float[][] run(int[] tokens, int startPosition, ArrayKvCache kv) {
        int n = tokens.length;
        int dim = config.dim();
        int hiddenDim = config.hiddenDim();
        float[][] x = new float[n][dim];              // (token, dim) residual stream
        float[][] normalised = new float[n][dim];     // (token, dim)
        float[][] q = new float[n][queryDim];         // (token, heads * headDim)
        float[][] k = new float[n][kvDim];            // (token, kvHeads * headDim)
        float[][] v = new float[n][kvDim];            // (token, kvHeads * headDim)
        float[][] attention = new float[n][queryDim]; // (token, heads * headDim)
        float[][] gate = new float[n][hiddenDim];     // (token, hiddenDim)
        float[][] up = new float[n][hiddenDim];       // (token, hiddenDim)
        float[][] cos = new float[n][rope.pairs()];   // (token, headDim / 2)
        float[][] sin = new float[n][rope.pairs()];   // (token, headDim / 2)
        for (int t = 0; t < n; t++) {
            weights.tokenEmbedding().copyTo((long) tokens[t] * dim, x[t], 0, dim);
            rope.angles(startPosition + t, cos[t], sin[t]);
        }
        for (int l = 0; l < config.layers(); l++) {
            LlamaWeights.Layer layer = weights.layers().get(l);
            for (int t = 0; t < n; t++) {
                VectorMath.rmsNorm(normalised[t], x[t], attentionNorms[l], config.rmsNormEps());
            }
            Matmul.multiply(layer.wq(), normalised, q, queryDim, dim);
            Matmul.multiply(layer.wk(), normalised, k, kvDim, dim);
            Matmul.multiply(layer.wv(), normalised, v, kvDim, dim);
            for (int t = 0; t < n; t++) {
                addBias(queryBiases[l], q[t]);
                addBias(keyBiases[l], k[t]);
                addBias(valueBiases[l], v[t]);
                rope.rotate(q[t], config.heads(), cos[t], sin[t]);
                rope.rotate(k[t], config.kvHeads(), cos[t], sin[t]);
                System.arraycopy(k[t], 0, kv.keys[l], (startPosition + t) * kvDim, kvDim);
                System.arraycopy(v[t], 0, kv.values[l], (startPosition + t) * kvDim, kvDim);
            }
            attend(kv.keys[l], kv.values[l], q, attention, startPosition);
            Matmul.multiply(layer.wo(), attention, normalised, dim, queryDim);
            for (int t = 0; t < n; t++) {
                VectorMath.add(normalised[t], x[t], dim);
                VectorMath.rmsNorm(normalised[t], x[t], ffnNorms[l], config.rmsNormEps());
            }
            Matmul.multiply(layer.wGate(), normalised, gate, hiddenDim, dim);
            Matmul.multiply(layer.wUp(), normalised, up, hiddenDim, dim);
            for (int t = 0; t < n; t++) {
                VectorMath.swiglu(gate[t], up[t], hiddenDim);
            }
            Matmul.multiply(layer.wDown(), gate, normalised, dim, hiddenDim);
            for (int t = 0; t < n; t++) {
                VectorMath.add(normalised[t], x[t], dim);
            }
        }
        return x;
    }

    /**
     * Causal grouped-query attention: token t (at startPosition + t) attends to positions
     * [0, startPosition + t]; query head h reads kv head h / (heads / kvHeads).
     */
    private void attend(float[] keys, float[] values, float[][] q, float[][] out, int startPosition) {
        int heads = config.heads();
        int headDim = config.headDim();
        int group = heads / config.kvHeads();
        float scale = (float) (1.0 / Math.sqrt(headDim));
        IntStream tasks = IntStream.range(0, q.length * heads);
        long work = (long) q.length * heads * (startPosition + q.length) * headDim;
        (work < Matmul.PARALLEL_THRESHOLD ? tasks : tasks.parallel()).forEach(task -> {
            int t = task / heads;
            int h = task % heads;
            int positions = startPosition + t + 1;
            int kvOffset = (h / group) * headDim;
            float[] scores = new float[positions]; // (positions)
            for (int p = 0; p < positions; p++) {
                scores[p] = VectorMath.dot(q[t], h * headDim, keys, p * kvDim + kvOffset, headDim) * scale;
            }
            VectorMath.softmax(scores, 0, positions);
            Arrays.fill(out[t], h * headDim, (h + 1) * headDim, 0f);
            for (int p = 0; p < positions; p++) {
                VectorMath.addScaled(scores[p], values, p * kvDim + kvOffset, out[t], h * headDim, headDim);
            }
        });
    }

    private static void addBias(float[] bias, float[] vector) {
        if (bias != null) {
            VectorMath.add(bias, vector, vector.length);
        }
    }

    private static float[] toArray(FloatTensor tensor) {
        if (tensor == null) {
            return null;
        }
        float[] values = new float[Math.toIntExact(tensor.size())];
        tensor.copyTo(0, values, 0, values.length);
        return values;
    }

    private ArrayKvCache checkCall(int[] tokens, int startPosition, KvCache cache, int[] rows) {
        if (!(cache instanceof ArrayKvCache kv)) {
            throw new IllegalArgumentException("cache was not made by this CPU forward pass (use newCache)");
        }
        Forward.checkArguments(config, tokens, startPosition, cache, rows);
        return kv;
    }
}
