package ai.ensemble.engine.model;

import java.util.List;

import ai.ensemble.engine.tensor.FloatTensor;

/**
 * Every weight of a Llama-family model. Matrices are (out, in), row-major, as in both Hugging
 * Face checkpoints and GGUF. {@code output} is {@code tokenEmbedding} itself when embeddings are tied.
 *
 * <p>{@code ropeFrequencyFactors}, when not null, holds one divisor per rotary frequency:
 * frequency i of a head is {@code ropeTheta^(-2i/headDim) / ropeFrequencyFactors[i]}. GGUF files of
 * Llama 3.1+ carry it as {@code rope_freqs.weight} (llama.cpp stores llama3 scaling this way and not
 * as metadata); for Hugging Face folders the loader computes it from {@code config.ropeScaling()}.
 * So a forward pass that applies these factors handles both formats, and must then not apply
 * {@code config.ropeScaling()} a second time.
 */
public record LlamaWeights(
        FloatTensor tokenEmbedding, // (vocab, dim)
        List<Layer> layers,
        FloatTensor outputNorm,     // (dim)
        FloatTensor output,         // (vocab, dim)
        FloatTensor ropeFrequencyFactors) { // (headDim / 2) or null

    public LlamaWeights {
        layers = List.copyOf(layers);
    }

    /** Weights with plain (unscaled) rotary frequencies. */
    public LlamaWeights(FloatTensor tokenEmbedding, List<Layer> layers, FloatTensor outputNorm, FloatTensor output) {
        this(tokenEmbedding, layers, outputNorm, output, null);
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
