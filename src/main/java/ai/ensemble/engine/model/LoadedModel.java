package ai.ensemble.engine.model;

import java.util.Map;

/**
 * A model ready to run: its shape, its weights (memory-mapped; {@link #close} unmaps them), and
 * where its tokenizer comes from: a {@code tokenizer.json} path, or GGUF {@code tokenizer.ggml.*}
 * metadata.
 */
public record LoadedModel(ModelConfig config, LlamaWeights weights, TokenizerSource tokenizer, AutoCloseable resources)
        implements AutoCloseable {

    /** Exactly one of the two is set. */
    public record TokenizerSource(java.nio.file.Path tokenizerJson, java.nio.file.Path tokenizerConfigJson,
                                  Map<String, Object> ggufMetadata) {
    }

    @Override
    public void close() throws Exception {
        resources.close();
    }
}
