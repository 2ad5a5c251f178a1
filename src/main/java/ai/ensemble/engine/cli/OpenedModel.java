package ai.ensemble.engine.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import ai.ensemble.engine.demo.DemoModel;
import ai.ensemble.engine.demo.RandomWeights;
import ai.ensemble.engine.model.LoadedModel;
import ai.ensemble.engine.model.ModelConfig;
import ai.ensemble.engine.model.ModelLoader;
import ai.ensemble.engine.model.RopeScaling;
import ai.ensemble.engine.model.RopeStyle;
import ai.ensemble.engine.tensor.TensorType;
import ai.ensemble.engine.tokenizer.Tokenizer;
import ai.ensemble.engine.tokenizer.Tokenizers;

/**
 * A model named on the command line, with its tokenizer when it has one. {@code --model} takes a
 * Hugging Face folder or a .gguf file; {@code demo} (or {@code demo:SEED}) for the demo model; and
 * {@code random:llama-3.2-1b:TYPE} (TYPE f32, bf16 or q8_0) for random weights of Llama 3.2 1B's
 * shapes, to measure speed without downloading a model.
 */
record OpenedModel(String name, LoadedModel model, Tokenizer tokenizer) implements AutoCloseable {

    static final String RANDOM_PREFIX = "random:llama-3.2-1b:";

    static OpenedModel open(String spec) throws IOException {
        if (spec.equals("demo") || spec.startsWith("demo:")) {
            long seed = spec.equals("demo") ? 0 : parseSeed(spec.substring(5));
            LoadedModel model = DemoModel.create(seed);
            return new OpenedModel(DemoModel.NAME, model, Tokenizers.load(model.tokenizer()));
        }
        if (spec.startsWith(RANDOM_PREFIX)) {
            TensorType type = switch (spec.substring(RANDOM_PREFIX.length()).toLowerCase(Locale.ROOT)) {
                case "f32" -> TensorType.F32;
                case "bf16" -> TensorType.BF16;
                case "q8_0" -> TensorType.Q8_0;
                default -> throw new Arguments.UsageException("--model " + spec + ": the weight type must be f32, bf16 or q8_0");
            };
            ModelConfig config = llama32OneBillionShapes();
            LoadedModel model = new LoadedModel(config, RandomWeights.create(config, type, 1, 0.02f), null, () -> { });
            return new OpenedModel("random-llama-3.2-1b-" + type.name().toLowerCase(Locale.ROOT), model, null);
        }
        Path path = Path.of(spec);
        if (!Files.exists(path)) {
            throw new Arguments.UsageException("--model " + spec + " does not exist (give a model folder, a .gguf file, demo or "
                    + RANDOM_PREFIX + "bf16)");
        }
        LoadedModel model = ModelLoader.load(path);
        LoadedModel.TokenizerSource source = model.tokenizer();
        boolean hasTokenizer = source != null && (source.tokenizerJson() != null || source.ggufMetadata() != null);
        return new OpenedModel(path.getFileName().toString(), model, hasTokenizer ? Tokenizers.load(source) : null);
    }

    /** Llama 3.2 1B's config.json: 1.24 B parameters, embeddings tied. */
    static ModelConfig llama32OneBillionShapes() {
        return new ModelConfig("llama", 2048, 8192, 16, 32, 8, 64, 128256, 131072, 1e-5f, 500000f,
                new RopeScaling("llama3", 32f, 1f, 4f, 8192), RopeStyle.HALF, true, false, 128000,
                List.of(128001, 128008, 128009));
    }

    private static long parseSeed(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new Arguments.UsageException("--model demo:SEED needs an integer seed, got '" + text + "'");
        }
    }

    @Override
    public void close() throws Exception {
        model.close();
    }
}
