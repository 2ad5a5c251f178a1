package ai.ensemble.engine.model;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import ai.ensemble.engine.json.Json;
import ai.ensemble.engine.model.LoadedModel.TokenizerSource;
import ai.ensemble.engine.tensor.ArrayFloatTensor;

/** Loads a Hugging Face model folder: config.json, safetensors weights, tokenizer files. */
final class HfModels {

    private HfModels() {
    }

    static LoadedModel load(Path folder) throws IOException {
        Map<String, Object> json = Json.parseObject(Files.readString(folder.resolve("config.json")));
        Arena arena = Arena.ofShared();
        try {
            SafetensorsFolder tensors = SafetensorsFolder.open(folder, arena);
            if (tensors.contains("model.layers.0.self_attn.o_proj.bias")) {
                throw new IllegalArgumentException(folder + ": o_proj biases are not supported");
            }
            ModelConfig config = HfConfig.parse(json, tensors.contains("model.layers.0.self_attn.q_proj.bias"));
            ArrayFloatTensor factors = config.ropeScaling() == null ? null
                    : new ArrayFloatTensor(config.ropeScaling().frequencyFactors(config.headDim(), config.ropeTheta()));
            LlamaWeights weights = WeightAssembly.assemble(config, tensors, WeightNames.HUGGING_FACE, factors);
            TokenizerSource tokenizer = new TokenizerSource(existing(folder.resolve("tokenizer.json")),
                    existing(folder.resolve("tokenizer_config.json")), null);
            return new LoadedModel(config, weights, tokenizer, arena::close);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static Path existing(Path path) {
        return Files.isRegularFile(path) ? path : null;
    }
}
