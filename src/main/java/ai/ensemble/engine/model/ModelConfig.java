package ai.ensemble.engine.model;

import java.util.List;

/**
 * The shape of a Llama-family model (Llama 2/3, Mistral, Qwen2), from config.json or GGUF metadata.
 *
 * @param architecture   {@code llama}, {@code mistral} or {@code qwen2}
 * @param dim            hidden size
 * @param hiddenDim      MLP intermediate size
 * @param headDim        per-head size (usually dim / heads)
 * @param ropeScaling    null when the model uses plain RoPE
 * @param attentionBias  q/k/v projections carry biases (Qwen2)
 * @param eosTokens      every token id that ends generation
 */
public record ModelConfig(
        String architecture,
        int dim,
        int hiddenDim,
        int layers,
        int heads,
        int kvHeads,
        int headDim,
        int vocabSize,
        int contextLength,
        float rmsNormEps,
        float ropeTheta,
        RopeScaling ropeScaling,
        RopeStyle ropeStyle,
        boolean tiedEmbeddings,
        boolean attentionBias,
        int bosToken,
        List<Integer> eosTokens) {

    public ModelConfig {
        eosTokens = List.copyOf(eosTokens);
    }
}
