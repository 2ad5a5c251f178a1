package ai.ensemble.engine.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import ai.ensemble.engine.demo.RandomWeights;
import ai.ensemble.engine.model.LlamaWeights;
import ai.ensemble.engine.model.ModelConfig;
import ai.ensemble.engine.model.RopeScaling;
import ai.ensemble.engine.model.RopeStyle;
import ai.ensemble.engine.tensor.ArrayFloatTensor;
import ai.ensemble.engine.tensor.FloatTensor;
import ai.ensemble.engine.tensor.TensorType;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CpuForwardTest {

    /** Tolerance against the double-precision reference: max |a − b| / max(1, max |b|). */
    private static final double TOLERANCE = 1e-4;

    private static final RopeScaling LLAMA3 = new RopeScaling("llama3", 8f, 1f, 4f, 16);

    static ModelConfig config(boolean bias, RopeStyle style, RopeScaling scaling) {
        return new ModelConfig(bias ? "qwen2" : "llama", 64, 96, 2, 4, 2, 16, 50, 128, 1e-5f, 500000f, scaling, style,
                !bias, bias, 1, List.of(2));
    }

    private static final int[] PROMPT = {1, 7, 33, 12, 49, 0, 3, 3, 21, 40, 8, 15};

    @Test
    void matchesPlainReferenceAtEveryPositionWithGroupedQueriesAndLlama3Scaling() {
        ModelConfig config = config(false, RopeStyle.HALF, LLAMA3);
        LlamaWeights weights = RandomWeights.create(config, TensorType.F32, 7, 0.3f);
        assertMatchesReference(config, weights);
    }

    @Test
    void appliesQueryKeyValueBiases() {
        ModelConfig config = config(true, RopeStyle.HALF, null);
        LlamaWeights weights = RandomWeights.create(config, TensorType.F32, 8, 0.3f);
        assertMatchesReference(config, weights);
    }

    @Test
    void interleavedRotationOfPermutedWeightsEqualsRotateHalf() {
        ModelConfig half = config(false, RopeStyle.HALF, LLAMA3);
        ModelConfig interleaved = config(false, RopeStyle.INTERLEAVED, LLAMA3);
        LlamaWeights weights = RandomWeights.create(half, TensorType.F32, 9, 0.3f);
        float[][] expected = logits(new CpuForward(half, weights), PROMPT);
        float[][] actual = logits(new CpuForward(interleaved, permuteForInterleaved(half, weights)), PROMPT);
        for (int t = 0; t < PROMPT.length; t++) {
            assertThat(relativeError(actual[t], expected[t])).as("position %d", t).isLessThan(1e-5);
        }
    }

    @Test
    void batchedPrefillEqualsOneTokenAtATime() {
        ModelConfig config = config(true, RopeStyle.HALF, LLAMA3);
        CpuForward forward = new CpuForward(config, RandomWeights.create(config, TensorType.F32, 10, 0.3f));
        int[] tokens = IntStream.range(0, CpuForward.MAX_BATCH + 6).map(i -> (i * 17 + 3) % 50).toArray();
        int[] rows = IntStream.range(0, tokens.length).toArray();
        float[][] batched = forward.logitsAt(tokens, 0, forward.newCache(tokens.length), rows);
        KvCache cache = forward.newCache(tokens.length);
        for (int t = 0; t < tokens.length; t++) {
            float[] single = forward.forward(tokens[t], t, cache);
            assertThat(relativeError(single, batched[t])).as("position %d", t).isLessThan(1e-5);
        }
        float[] last = forward.prefill(tokens, 0, forward.newCache(tokens.length));
        assertThat(relativeError(last, batched[tokens.length - 1])).isLessThan(1e-6);
    }

    @Test
    void continuesAPrefilledCache() {
        ModelConfig config = config(false, RopeStyle.HALF, null);
        CpuForward forward = new CpuForward(config, RandomWeights.create(config, TensorType.F32, 11, 0.3f));
        float[] whole = forward.prefill(PROMPT, 0, forward.newCache(PROMPT.length));
        KvCache cache = forward.newCache(PROMPT.length);
        forward.prefill(java.util.Arrays.copyOf(PROMPT, 5), 0, cache);
        float[] continued = forward.prefill(java.util.Arrays.copyOfRange(PROMPT, 5, PROMPT.length), 5, cache);
        assertThat(relativeError(continued, whole)).isLessThan(1e-5);
    }

    @Test
    void llama3ScalingKeepsHighFrequenciesStretchesLowOnesAndBlendsBetween() {
        float[] plain = Rope.inverseFrequencies(16, 500000f, null);
        float[] scaled = Rope.inverseFrequencies(16, 500000f, new RopeScaling("llama3", 8f, 1f, 4f, 64));
        // Wavelengths 2π/f: 6.3 (< 64/4, kept), 32.3 (between 64/4 and 64/1: blended), then > 64 (divided by 8).
        assertThat(scaled[0]).isEqualTo(plain[0]);
        double smooth = (64 / (2 * Math.PI / plain[1]) - 1) / (4 - 1);
        assertThat((double) scaled[1]).isCloseTo((1 - smooth) * plain[1] / 8 + smooth * plain[1], org.assertj.core.data.Offset.offset(1e-7));
        for (int i = 2; i < 8; i++) {
            assertThat(scaled[i]).isEqualTo(plain[i] / 8);
        }
        assertThat(plain[1]).isEqualTo(1f / (float) Math.pow(500000, 2f / 16));
    }

    @Test
    void frequencyFactorsCarriedByTheWeightsReplaceTheConfigsScaling() {
        ModelConfig scaled = config(false, RopeStyle.HALF, LLAMA3);
        LlamaWeights weights = RandomWeights.create(scaled, TensorType.F32, 14, 0.3f);
        LlamaWeights withFactors = new LlamaWeights(weights.tokenEmbedding(), weights.layers(), weights.outputNorm(),
                weights.output(), new ArrayFloatTensor(LLAMA3.frequencyFactors(16, 500000f)));
        float[][] expected = logits(new CpuForward(scaled, weights), PROMPT);
        // The config still names llama3 scaling: applied once (by the factors), not twice.
        float[][] actual = logits(new CpuForward(scaled, withFactors), PROMPT);
        for (int t = 0; t < PROMPT.length; t++) {
            assertThat(relativeError(actual[t], expected[t])).as("position %d", t).isLessThan(1e-5);
        }
        float[][] unscaled = logits(new CpuForward(config(false, RopeStyle.HALF, null), weights), PROMPT);
        assertThat(relativeError(unscaled[PROMPT.length - 1], expected[PROMPT.length - 1])).isGreaterThan(1e-3);
    }

    @Test
    void rejectsPositionsBeyondTheCacheAndTokensOutsideTheVocabulary() {
        ModelConfig config = config(false, RopeStyle.HALF, null);
        CpuForward forward = new CpuForward(config, RandomWeights.create(config, TensorType.F32, 12, 0.3f));
        KvCache cache = forward.newCache(4);
        assertThatThrownBy(() -> forward.forward(1, 4, cache)).hasMessageContaining("do not fit a KV cache of 4 positions");
        assertThatThrownBy(() -> forward.forward(50, 0, cache)).hasMessageContaining("token id 50 is outside the vocabulary");
        assertThatThrownBy(() -> forward.logitsAt(new int[] {1, 2}, 0, cache, new int[] {2}))
                .hasMessageContaining("logits row 2");
    }

    @Test
    void rejectsWeightsThatDoNotFitTheConfig() {
        ModelConfig config = config(false, RopeStyle.HALF, null);
        LlamaWeights weights = RandomWeights.create(config, TensorType.F32, 13, 0.3f);
        LlamaWeights.Layer first = weights.layers().getFirst();
        LlamaWeights.Layer broken = new LlamaWeights.Layer(first.attentionNorm(), new ArrayFloatTensor(new float[10]),
                first.wk(), first.wv(), null, null, null, first.wo(), first.ffnNorm(), first.wGate(), first.wUp(), first.wDown());
        LlamaWeights bad = new LlamaWeights(weights.tokenEmbedding(), List.of(broken, weights.layers().get(1)),
                weights.outputNorm(), weights.output());
        assertThatThrownBy(() -> new CpuForward(config, bad)).hasMessage("weight layers.0.wq has 10 elements, the config needs 4096");
    }

    private static void assertMatchesReference(ModelConfig config, LlamaWeights weights) {
        double[][] expected = new NaiveLlama(config, weights).logits(PROMPT);
        float[][] actual = logits(new CpuForward(config, weights), PROMPT);
        for (int t = 0; t < PROMPT.length; t++) {
            assertThat(relativeError(actual[t], expected[t])).as("position %d", t).isLessThan(TOLERANCE);
        }
    }

    private static float[][] logits(Forward forward, int[] tokens) {
        return forward.logitsAt(tokens, 0, forward.newCache(tokens.length), IntStream.range(0, tokens.length).toArray());
    }

    static double relativeError(float[] actual, float[] expected) {
        double[] e = new double[expected.length];
        for (int i = 0; i < e.length; i++) {
            e[i] = expected[i];
        }
        return relativeError(actual, e);
    }

    /** max |a − b| / max(1, max |b|). */
    static double relativeError(float[] actual, double[] expected) {
        assertThat(actual).hasSize(expected.length);
        double maxDifference = 0;
        double maxExpected = 0;
        for (int i = 0; i < expected.length; i++) {
            maxDifference = Math.max(maxDifference, Math.abs(actual[i] - expected[i]));
            maxExpected = Math.max(maxExpected, Math.abs(expected[i]));
        }
        return maxDifference / Math.max(1, maxExpected);
    }

    /**
     * GGUF's layout for Llama: within each head, q/k row 2i is rotate-half row i and row 2i+1 is row
     * i + headDim/2 (llama.cpp's convert_hf_to_gguf {@code permute}).
     */
    static LlamaWeights permuteForInterleaved(ModelConfig config, LlamaWeights weights) {
        List<LlamaWeights.Layer> layers = new ArrayList<>();
        for (LlamaWeights.Layer l : weights.layers()) {
            layers.add(new LlamaWeights.Layer(l.attentionNorm(), permute(l.wq(), config.heads(), config),
                    permute(l.wk(), config.kvHeads(), config), l.wv(), l.bq(), l.bk(), l.bv(), l.wo(), l.ffnNorm(),
                    l.wGate(), l.wUp(), l.wDown()));
        }
        return new LlamaWeights(weights.tokenEmbedding(), layers, weights.outputNorm(), weights.output(),
                weights.ropeFrequencyFactors());
    }

    private static FloatTensor permute(FloatTensor matrix, int heads, ModelConfig config) {
        int hd = config.headDim();
        int cols = config.dim();
        float[] out = new float[Math.toIntExact(matrix.size())];
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < hd / 2; i++) {
                for (int j = 0; j < 2; j++) {
                    int from = h * hd + j * hd / 2 + i;
                    int to = h * hd + 2 * i + j;
                    matrix.copyTo((long) from * cols, out, to * cols, cols);
                }
            }
        }
        return new ArrayFloatTensor(out);
    }
}
