package ai.ensemble.engine.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Opens a model from disk: a Hugging Face folder (config.json + safetensors) or a GGUF file. The
 * weights stay memory-mapped until the returned model is closed.
 */
public final class ModelLoader {

    private ModelLoader() {
    }

    public static LoadedModel load(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            if (Files.isRegularFile(path.resolve("config.json"))) {
                return HfModels.load(path);
            }
            throw new IOException(path + " is a folder without config.json: not a Hugging Face model");
        }
        if (Files.isRegularFile(path) && path.getFileName().toString().equals("config.json")) {
            return HfModels.load(path.toAbsolutePath().getParent());
        }
        if (Files.isRegularFile(path) && path.getFileName().toString().endsWith(".gguf")) {
            return GgufModels.load(path);
        }
        throw new IOException(path + " is neither a Hugging Face model folder nor a .gguf file");
    }
}
