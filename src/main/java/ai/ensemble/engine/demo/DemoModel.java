package ai.ensemble.engine.demo;

import java.util.List;

import ai.ensemble.engine.model.LlamaWeights;
import ai.ensemble.engine.model.LoadedModel;
import ai.ensemble.engine.model.ModelConfig;
import ai.ensemble.engine.tensor.TensorType;

/**
 * A tiny random-weight Llama that the engine synthesises when no model is configured, so that every
 * stage (tokenize, prefill, decode, sample, stream) runs out of the box. It produces noise: its
 * weights are random. Its vocabulary is the 256 bytes followed by Llama 3's special tokens
 * ({@link DemoVocabulary}), read by the engine's tokenizer like any model's; the same seed gives
 * the same weights.
 */
public final class DemoModel {

    public static final String NAME = "ensemble-demo-random";

    private DemoModel() {
    }

    /** dim 256, 4 layers, 8 heads of 32, 4 kv heads, MLP 704, vocabulary 264, 2,048 positions. */
    public static ModelConfig config() {
        return new ModelConfig("llama", 256, 704, 4, 8, 4, 32, DemoVocabulary.SIZE, 2048, 1e-5f,
                500000f, null, ai.ensemble.engine.model.RopeStyle.HALF, true, false,
                DemoVocabulary.BEGIN_OF_TEXT, List.of(DemoVocabulary.END_OF_TEXT, DemoVocabulary.END_OF_TURN));
    }

    /**
     * The layer shapes of Llama 3.2 1B (dim 2048, 16 layers, 32 heads of 64, 8 kv heads, MLP 8192) over
     * the demo vocabulary: random BF16 weights of a real size for benchmarks of serving on a GPU
     * (the output layer is tiny, the 264-token vocabulary's).
     */
    public static LoadedModel createLlama1bShape(long seed) {
        ModelConfig config = new ModelConfig("llama", 2048, 8192, 16, 32, 8, 64, DemoVocabulary.SIZE, 4096, 1e-5f,
                500000f, null, ai.ensemble.engine.model.RopeStyle.HALF, true, false,
                DemoVocabulary.BEGIN_OF_TEXT, List.of(DemoVocabulary.END_OF_TEXT, DemoVocabulary.END_OF_TURN));
        LlamaWeights weights = RandomWeights.create(config, TensorType.BF16, seed, 0.02f);
        return new LoadedModel(config, weights, new LoadedModel.TokenizerSource(null, null, DemoVocabulary.ggufMetadata()), () -> { });
    }

    /** The demo model for {@code seed}, on the heap in F32. */
    public static LoadedModel create(long seed) {
        return create(seed, TensorType.F32);
    }

    /** The demo model for {@code seed} with weights of {@code type} ({@code BF16}: in native memory, as the cuda backend reads). */
    public static LoadedModel create(long seed, TensorType type) {
        ModelConfig config = config();
        // ±0.1 keeps the residual stream's scale near 1 through 4 layers, so logits vary visibly.
        LlamaWeights weights = RandomWeights.create(config, type, seed, 0.1f);
        return new LoadedModel(config, weights, new LoadedModel.TokenizerSource(null, null, DemoVocabulary.ggufMetadata()), () -> { });
    }
}
