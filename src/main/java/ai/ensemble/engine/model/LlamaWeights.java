package ai.ensemble.engine.model;

import java.util.List;

import ai.ensemble.engine.tensor.FloatTensor;

/**
 * Every weight of a Llama-family model. Matrices are (out, in), row-major, as in both Hugging
 * Face checkpoints and GGUF. {@code output} is {@code tokenEmbedding} itself when embeddings are tied.
 */
public record LlamaWeights(
        FloatTensor tokenEmbedding, // (vocab, dim)
        List<Layer> layers,
        FloatTensor outputNorm,     // (dim)
        FloatTensor output) {       // (vocab, dim)

    public LlamaWeights {
        layers = List.copyOf(layers);
    }

    /** One transformer block. Biases are null unless the architecture has them (Qwen2). */
    public record Layer(
            FloatTensor attentionNorm, // (dim)
            FloatTensor wq,            // (heads * headDim, dim)
            FloatTensor wk,            // (kvHeads * headDim, dim)
            FloatTensor wv,            // (kvHeads * headDim, dim)
            FloatTensor bq,            // (heads * headDim) or null
            FloatTensor bk,            // (kvHeads * headDim) or null
            FloatTensor bv,            // (kvHeads * headDim) or null
            FloatTensor wo,            // (dim, heads * headDim)
            FloatTensor ffnNorm,       // (dim)
            FloatTensor wGate,         // (hiddenDim, dim)
            FloatTensor wUp,           // (hiddenDim, dim)
            FloatTensor wDown) {       // (dim, hiddenDim)
    }
}
