package ai.ensemble.engine.model;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;

import ai.ensemble.engine.model.LoadedModel.TokenizerSource;
import ai.ensemble.engine.tensor.FloatTensor;

/** Loads a GGUF file: metadata, tensors, and the metadata map as the tokenizer source. */
final class GgufModels {

    static final String ROPE_FREQUENCIES = "rope_freqs.weight";

    private GgufModels() {
    }

    static LoadedModel load(Path file) throws IOException {
        Arena arena = Arena.ofShared();
        try {
            Gguf gguf = Gguf.open(file, arena);
            ModelConfig config = GgufConfig.parse(gguf.metadata(), gguf);
            FloatTensor ropeFactors = gguf.contains(ROPE_FREQUENCIES) ? gguf.tensor(ROPE_FREQUENCIES) : null;
            LlamaWeights weights = WeightAssembly.assemble(config, gguf, WeightNames.GGUF, ropeFactors);
            return new LoadedModel(config, weights, new TokenizerSource(null, null, gguf.metadata()), arena::close);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }
}
