package ai.ensemble.engine.model;

/**
 * Which element pairs rotary embeddings rotate within a head. Hugging Face checkpoints (and GGUF
 * files of NeoX-style architectures such as Qwen2) rotate (i, i + headDim/2); GGUF Llama files
 * store q/k rows permuted so that rotating adjacent pairs (2i, 2i+1) gives the same result.
 */
public enum RopeStyle {
    HALF, INTERLEAVED
}
