package ai.ensemble.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import ai.ensemble.engine.cpu.CpuForward;
import ai.ensemble.engine.demo.DemoModel;
import ai.ensemble.engine.generate.GenerationParameters;
import ai.ensemble.engine.generate.GenerationResult;
import ai.ensemble.engine.generate.Generator;
import ai.ensemble.engine.model.LoadedModel;
import ai.ensemble.engine.model.ModelLoader;
import ai.ensemble.engine.sampling.SamplingSettings;
import ai.ensemble.engine.tokenizer.ChatTemplate;
import ai.ensemble.engine.tokenizer.Message;
import ai.ensemble.engine.tokenizer.Tokenizer;
import ai.ensemble.engine.tokenizer.Tokenizers;

/**
 * The engine as the gateway uses it: a chat model opened from a Hugging Face folder, a .gguf file,
 * or {@code demo} (the synthesised random-weight model), answering conversations with streamed
 * text. This class and its records are the engine's public surface; everything else is internal.
 *
 * <p>One generation runs at a time per model (the CPU forward pass already uses every core);
 * callers wait their turn. Continuous batching arrives with the GPU backend.
 */
public final class LocalModel implements AutoCloseable {

    /** One message of a conversation. */
    public record Turn(String role, String content) {
    }

    /**
     * What to generate; null sampling values take the model's defaults (temperature 1, top-p 1).
     */
    public record Settings(int maxTokens, Float temperature, Float topP, Long seed, Float presencePenalty,
                           Float frequencyPenalty, List<String> stop) {
        public Settings {
            stop = stop == null ? List.of() : List.copyOf(stop);
        }
    }

    /** {@code finishReason} is {@code stop}, {@code length} or {@code cancelled}. */
    public record Result(String text, String finishReason, int promptTokens, int completionTokens) {
    }

    /** The prompt does not fit the model's context; the caller's request is at fault. */
    public static final class PromptTooLongException extends RuntimeException {
        PromptTooLongException(String message) {
            super(message);
        }
    }

    private final String name;
    private final LoadedModel model;
    private final Tokenizer tokenizer;
    private final ChatTemplate template;
    private final Generator generator;
    private final Semaphore turn = new Semaphore(1, true);

    private LocalModel(String name, LoadedModel model, Tokenizer tokenizer) {
        this.name = name;
        this.model = model;
        this.tokenizer = tokenizer;
        this.template = ChatTemplate.forTokenizer(tokenizer);
        this.generator = new Generator(new CpuForward(model.config(), model.weights()), tokenizer);
    }

    /** @param spec {@code demo}, {@code demo:SEED}, a model folder or a .gguf file */
    public static LocalModel open(String spec) throws IOException {
        if (spec.equals("demo") || spec.startsWith("demo:")) {
            long seed = spec.equals("demo") ? 0 : Long.parseLong(spec.substring(5));
            LoadedModel model = DemoModel.create(seed);
            return new LocalModel(DemoModel.NAME, model, Tokenizers.load(model.tokenizer()));
        }
        Path path = Path.of(spec);
        if (!Files.exists(path)) {
            throw new IOException("model " + spec + " does not exist: give a model folder, a .gguf file or 'demo'");
        }
        LoadedModel model = ModelLoader.load(path);
        return new LocalModel(path.getFileName().toString(), model, Tokenizers.load(model.tokenizer()));
    }

    public String name() {
        return name;
    }

    public int contextLength() {
        return model.config().contextLength();
    }

    /** Which backend runs the model, for logs and {@code /v1/models}. */
    public String backend() {
        return "cpu";
    }

    /**
     * Renders the conversation with the model's chat template and generates the answer, passing
     * each piece of text to {@code onText} as soon as it is final.
     */
    public Result generate(List<Turn> turns, Settings settings, Consumer<String> onText, BooleanSupplier cancelled)
            throws InterruptedException {
        String prompt = template.render(turns.stream().map(t -> new Message(t.role(), t.content())).toList(), true);
        int[] ids = tokenizer.encode(prompt);
        if (ids.length >= contextLength()) {
            throw new PromptTooLongException("The prompt takes " + ids.length + " tokens; model '" + name
                    + "' has a context of " + contextLength());
        }
        GenerationParameters parameters = new GenerationParameters(settings.maxTokens(), Set.of(), settings.stop(),
                sampling(settings));
        turn.acquire();
        try {
            GenerationResult result = generator.generate(ids, parameters, (token, text, sample) -> {
                if (!text.isEmpty()) {
                    onText.accept(text);
                }
            }, cancelled);
            return new Result(result.text(), result.finishReason().wireName(), result.promptTokens(), result.completionTokens());
        } finally {
            turn.release();
        }
    }

    private static SamplingSettings sampling(Settings settings) {
        float temperature = settings.temperature() == null ? 1f : settings.temperature();
        float topP = settings.topP() == null || settings.topP() <= 0 ? 1f : settings.topP();
        return new SamplingSettings(temperature, 0, topP, 0f, 1f,
                settings.presencePenalty() == null ? 0f : settings.presencePenalty(),
                settings.frequencyPenalty() == null ? 0f : settings.frequencyPenalty(), settings.seed(), 0);
    }

    @Override
    public void close() throws Exception {
        model.close();
    }
}
