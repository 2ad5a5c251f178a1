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
import ai.ensemble.engine.cpu.Forward;
import ai.ensemble.engine.cuda.CudaForward;
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
 * <p>The model runs on the GPU ({@code cuda}, BF16 weights) where one is usable, else on the CPU.
 * One generation runs at a time per model; callers wait their turn (continuous batching is next).
 */
public final class LocalModel implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(LocalModel.class.getName());

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
    private final Forward forward;
    private final String backendNote;
    private final Generator generator;
    private final Semaphore turn = new Semaphore(1, true);

    private LocalModel(String name, LoadedModel model, Tokenizer tokenizer, Forward forward, String backendNote) {
        this.name = name;
        this.model = model;
        this.tokenizer = tokenizer;
        this.template = ChatTemplate.forTokenizer(tokenizer);
        this.forward = forward;
        this.backendNote = backendNote;
        this.generator = new Generator(forward, tokenizer);
    }

    /** On the best backend there is ({@code auto}). */
    public static LocalModel open(String spec) throws IOException {
        return open(spec, "auto");
    }

    /**
     * @param spec    {@code demo}, {@code demo:SEED}, a model folder or a .gguf file
     * @param backend {@code auto} (the GPU where one is usable, else the CPU, saying why), {@code cpu}
     *                or {@code cuda} (fails when no GPU can run the model)
     */
    public static LocalModel open(String spec, String backend) throws IOException {
        String name;
        LoadedModel model;
        if (spec.equals("demo") || spec.startsWith("demo:")) {
            long seed = spec.equals("demo") ? 0 : Long.parseLong(spec.substring(5));
            model = DemoModel.create(seed);
            name = DemoModel.NAME;
        } else {
            Path path = Path.of(spec);
            if (!Files.exists(path)) {
                throw new IOException("model " + spec + " does not exist: give a model folder, a .gguf file or 'demo'");
            }
            model = ModelLoader.load(path);
            name = path.getFileName().toString();
        }
        try {
            Tokenizer tokenizer = Tokenizers.load(model.tokenizer());
            String[] note = new String[1];
            Forward forward = forward(model, backend, note);
            LOG.log(System.Logger.Level.INFO, "Model {0} runs on {1}{2}", name, forward.backend(),
                    note[0] == null ? "" : " (" + note[0] + ")");
            return new LocalModel(name, model, tokenizer, forward, note[0]);
        } catch (IOException | RuntimeException e) {
            closeQuietly(model);
            throw e;
        }
    }

    private static Forward forward(LoadedModel model, String backend, String[] note) throws IOException {
        if (!backend.equals("auto") && !backend.equals("cpu") && !backend.equals("cuda")) {
            throw new IOException("backend must be auto, cpu or cuda, not '" + backend + "'");
        }
        if (!backend.equals("cpu")) {
            CudaForward.Availability gpu = CudaForward.availability();
            String reason = gpu.reason();
            if (gpu.available()) {
                try {
                    return CudaForward.of(model);
                } catch (RuntimeException e) {
                    reason = "the GPU cannot run this model: " + e.getMessage();
                }
            }
            if (backend.equals("cuda")) {
                throw new IOException("the cuda backend was asked for but " + reason);
            }
            note[0] = "no GPU backend: " + reason;
        }
        return new CpuForward(model.config(), model.weights());
    }

    private static void closeQuietly(LoadedModel model) {
        try {
            model.close();
        } catch (Exception ignored) {
            // already failing; the original error is the one to report
        }
    }

    public String name() {
        return name;
    }

    public int contextLength() {
        return model.config().contextLength();
    }

    /** Which backend runs the model ({@code cpu} or {@code cuda}), for logs and {@code /v1/models}. */
    public String backend() {
        return forward.backend();
    }

    /** Why the model is not on the GPU, or null when it is (or the CPU was asked for). */
    public String backendNote() {
        return backendNote;
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
        if (forward instanceof AutoCloseable closeable) {
            closeable.close();
        }
        model.close();
    }
}
