package ai.ensemble.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import ai.ensemble.engine.cpu.CpuForward;
import ai.ensemble.engine.cpu.Forward;
import ai.ensemble.engine.cuda.BatchScheduler;
import ai.ensemble.engine.cuda.CudaForward;
import ai.ensemble.engine.demo.DemoModel;
import ai.ensemble.engine.generate.GenerationParameters;
import ai.ensemble.engine.generate.GenerationResult;
import ai.ensemble.engine.generate.Generator;
import ai.ensemble.engine.generate.StopStrings;
import ai.ensemble.engine.generate.TextDecoder;
import ai.ensemble.engine.model.LoadedModel;
import ai.ensemble.engine.model.ModelLoader;
import ai.ensemble.engine.sampling.SamplingSettings;
import ai.ensemble.engine.tensor.Kernels;
import ai.ensemble.engine.tensor.TensorType;
import ai.ensemble.engine.tokenizer.ChatTemplate;
import ai.ensemble.engine.tokenizer.Message;
import ai.ensemble.engine.tokenizer.Tokenizer;
import ai.ensemble.engine.tokenizer.Tokenizers;

/**
 * The engine as the gateway uses it: a chat model opened from a Hugging Face folder, a .gguf file,
 * or {@code demo} (the synthesised random-weight model), answering conversations with streamed
 * text. This class and its records are the engine's public surface; everything else is internal.
 *
 * <p>The model runs on the GPU ({@code cuda}: BF16, F16, Q8_0 or F32 weight matrices) where one is usable, else on the CPU.
 *
 * <p>How generations share the model:
 * <ul>
 * <li>CPU: one generation at a time; at most {@link Options#maxWaiting} more wait their turn (fairly,
 *     in arrival order), and one more is refused at once with {@link BusyException} instead of
 *     joining an unbounded queue.</li>
 * <li>CUDA: every request, greedy or sampled, is served by ONE {@link BatchScheduler} on its own
 *     thread, so concurrent requests decode together (continuous batching): greedy ones take the
 *     GPU's argmax, sampled ones ({@code temperature > 0}, the default when none is given, or with
 *     penalties) are sampled on the host from their rows' logits with their own seed, the same tokens
 *     as batch-1 generation gives. Its waiting queue holds {@code max(1, maxWaiting)} requests beyond
 *     the running batch (64 sequences), and a full queue is a {@link BusyException}; when the paged KV
 *     cache runs out, the most recently admitted sequence is preempted and later resumed (see
 *     {@link BatchScheduler}). Only a request longer than the scheduler's longest sequence (prompt +
 *     maxTokens over {@code min(context, 4096)}) falls back to the batch-1 path (the {@link Generator}
 *     on the same {@link CudaForward}), one at a time with the same bounded waiting as the CPU; the
 *     forward's monitor keeps its calls and the scheduler's steps apart.</li>
 * </ul>
 * Both backends signal "too busy" with {@link BusyException}, which carries a retry-after in seconds.
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

    /**
     * How the model is served.
     *
     * @param backend    {@code auto}, {@code cpu} or {@code cuda} (see {@link #open(String, String)})
     * @param maxWaiting generations that may wait for the single runner (CPU, and GPU requests too long
     *                   for the scheduler) or in the batch scheduler's queue (GPU, at least 1) before more
     *                   are refused
     * @param batching   serve requests on the GPU through the batch scheduler (false: every request
     *                   takes the batch-1 path, as before continuous batching)
     */
    public record Options(String backend, int maxWaiting, boolean batching) {
        public static final int DEFAULT_MAX_WAITING = 16;

        public Options {
            if (maxWaiting < 0) {
                throw new IllegalArgumentException("maxWaiting must be at least 0, got " + maxWaiting);
            }
        }

        public static Options defaults() {
            return new Options("auto", DEFAULT_MAX_WAITING, true);
        }

        public Options withBackend(String backend) {
            return new Options(backend, maxWaiting, batching);
        }
    }

    /** Too many generations are running and waiting; the caller should retry after {@link #retryAfterSeconds}. */
    public static final class BusyException extends RuntimeException {
        private final int retryAfterSeconds;

        public BusyException(String message, int retryAfterSeconds) {
            super(message);
            this.retryAfterSeconds = Math.max(1, retryAfterSeconds);
        }

        public int retryAfterSeconds() {
            return retryAfterSeconds;
        }
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
    private final SingleRunner runner;
    private final BatchScheduler scheduler;   // null on the CPU, or when batching is off or failed to start
    private final int maxSequence;            // the scheduler's longest sequence (prompt + answer)
    private final Set<Integer> stopTokens;    // as the Generator's: the model's and the tokenizer's ends

    private LocalModel(String name, LoadedModel model, Tokenizer tokenizer, Forward forward, String backendNote,
                       Options options) {
        this.name = name;
        this.model = model;
        this.tokenizer = tokenizer;
        this.template = ChatTemplate.forTokenizer(tokenizer);
        this.forward = forward;
        this.backendNote = backendNote;
        this.generator = new Generator(forward, tokenizer);
        this.runner = new SingleRunner(options.maxWaiting());
        Set<Integer> ends = new HashSet<>(model.config().eosTokens());
        ends.addAll(tokenizer.eosTokenIds());
        this.stopTokens = Set.copyOf(ends);
        this.maxSequence = Math.min(model.config().contextLength(), 4096);
        this.scheduler = forward instanceof CudaForward cuda && options.batching() ? startScheduler(cuda, options) : null;
    }

    private BatchScheduler startScheduler(CudaForward cuda, Options options) {
        BatchScheduler.Options defaults = BatchScheduler.Options.defaults();
        BatchScheduler.Options sizes = new BatchScheduler.Options(defaults.maxBatch(), defaults.blockSize(), defaults.blocks(),
                Math.max(1, options.maxWaiting()), maxSequence, defaults.prefillRows());
        try {
            BatchScheduler started = new BatchScheduler(cuda, sizes);
            started.start();
            LOG.log(System.Logger.Level.INFO, "Model {0}: requests are batched on the GPU ({1})", name, sizes);
            return started;
        } catch (RuntimeException | LinkageError e) {
            LOG.log(System.Logger.Level.WARNING, "Model {0}: no continuous batching ({1}); every request runs batch-1",
                    name, String.valueOf(e.getMessage()));
            return null;
        }
    }

    /** On the best backend there is ({@code auto}). */
    public static LocalModel open(String spec) throws IOException {
        return open(spec, "auto");
    }

    /**
     * @param spec    {@code demo}, {@code demo:SEED}, a model folder or a .gguf file
     * @param backend {@code auto}, {@code cpu} or {@code cuda}, as {@link #open(String, Options)}
     */
    public static LocalModel open(String spec, String backend) throws IOException {
        return open(spec, Options.defaults().withBackend(backend));
    }

    /**
     * @param spec    {@code demo}, {@code demo:SEED} (random weights, F32), {@code demo-bf16[:SEED]} (the
     *                same in BF16, for the GPU), {@code demo-1b-bf16} (random BF16 weights of Llama 3.2
     *                1B's layer shapes, for GPU benchmarks), a model folder or a .gguf file
     * @param options {@code backend}: {@code auto} (the GPU where one is usable, else the CPU, saying
     *                why), {@code cpu} or {@code cuda} (fails when no GPU can run the model); how many
     *                generations may wait; whether the GPU batches
     */
    public static LocalModel open(String spec, Options options) throws IOException {
        String backend = options.backend();
        String name;
        LoadedModel model;
        if (spec.equals("demo") || spec.startsWith("demo:")) {
            long seed = spec.equals("demo") ? 0 : Long.parseLong(spec.substring(5));
            model = DemoModel.create(seed);
            name = DemoModel.NAME;
        } else if (spec.equals("demo-1b-bf16")) {
            // random weights of Llama 3.2 1B's layer shapes (benchmarks of serving on a GPU)
            model = DemoModel.createLlama1bShape(0);
            name = DemoModel.NAME + "-1b";
        } else if (spec.equals("demo-bf16") || spec.startsWith("demo-bf16:")) {
            // the same random model with BF16 weights, which the cuda backend can run (tests, demos on a GPU)
            long seed = spec.equals("demo-bf16") ? 0 : Long.parseLong(spec.substring(10));
            model = DemoModel.create(seed, TensorType.BF16);
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
            try {
                return new LocalModel(name, model, tokenizer, forward, note[0], options);
            } catch (RuntimeException e) {
                if (forward instanceof AutoCloseable closeable) {
                    try {
                        closeable.close();
                    } catch (Exception ignored) {
                        // already failing
                    }
                }
                throw e;
            }
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
        String kernels = "kernels " + Kernels.description();
        note[0] = note[0] == null ? kernels : note[0] + "; " + kernels;
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

    /** Whether requests are batched on the GPU (a {@link BatchScheduler} runs). */
    public boolean batching() {
        return scheduler != null;
    }

    /**
     * The batch scheduler's counters (steps, preemptions, running, waiting, KV blocks in use of the
     * total), read now; empty where no scheduler runs (CPU, batching off).
     */
    public java.util.Optional<ServingMetrics> batchMetrics() {
        if (scheduler == null) {
            return java.util.Optional.empty();
        }
        BatchScheduler.Metrics m = scheduler.metrics();
        return java.util.Optional.of(new ServingMetrics(m.steps(), m.preemptions(), m.running(), m.waiting(), m.kvBlocksInUse(),
                m.kvBlocksTotal()));
    }

    /** The GPU batch scheduler's counters: steps, preemptions, sequences running and waiting, KV blocks in use of the total. */
    public record ServingMetrics(long steps, long preemptions, int running, int waiting, int kvBlocksInUse, int kvBlocksTotal) {
    }

    /**
     * Renders the conversation with the model's chat template and generates the answer, passing
     * each piece of text to {@code onText} as soon as it is final.
     *
     * @throws BusyException         too many generations are running and waiting: retry later
     * @throws PromptTooLongException the prompt does not fit the context
     */
    public Result generate(List<Turn> turns, Settings settings, Consumer<String> onText, BooleanSupplier cancelled)
            throws InterruptedException {
        return generate(turns, settings, onText, cancelled, action -> {
        });
    }

    /**
     * As {@link #generate(List, Settings, Consumer, BooleanSupplier)}; {@code onCancel} registers an
     * action that the caller runs when it cancels (e.g. {@code Cancellation::onCancel}), so that a
     * batched request leaves the GPU batch and frees its KV blocks at the next step without waiting
     * for this thread to notice the flag.
     */
    public Result generate(List<Turn> turns, Settings settings, Consumer<String> onText, BooleanSupplier cancelled,
                           Consumer<Runnable> onCancel) throws InterruptedException {
        String prompt = template.render(turns.stream().map(t -> new Message(t.role(), t.content())).toList(), true);
        int[] ids = tokenizer.encode(prompt);
        if (ids.length >= contextLength()) {
            throw new PromptTooLongException("The prompt takes " + ids.length + " tokens; model '" + name
                    + "' has a context of " + contextLength());
        }
        GenerationParameters parameters = new GenerationParameters(settings.maxTokens(), Set.of(), settings.stop(),
                sampling(settings));
        if (scheduler != null) {
            // what the Generator would make of maxTokens: the context caps it
            int end = (int) Math.min(contextLength(), (long) ids.length + parameters.maxTokens());
            if (end <= maxSequence) {
                return generateBatched(ids, end - ids.length, parameters, onText, cancelled, onCancel);
            }
        }
        if (!runner.acquire(cancelled)) {
            return new Result("", "cancelled", ids.length, 0);
        }
        long started = System.nanoTime();
        try {
            GenerationResult result = generator.generate(ids, parameters, (token, text, sample) -> {
                if (!text.isEmpty()) {
                    onText.accept(text);
                }
            }, cancelled);
            return new Result(result.text(), result.finishReason().wireName(), result.promptTokens(), result.completionTokens());
        } finally {
            runner.release(System.nanoTime() - started);
        }
    }

    private static final Object END = new Object();

    /**
     * Through the batch scheduler: its thread hands each token (argmax on the GPU, or drawn on the host
     * by this request's seeded sampler) to a queue of this request, and
     * this (the caller's) thread decodes the text, watches for stop strings and calls {@code onText},
     * so that a slow client never stalls the batch. Ends as the {@link Generator} does (the same stop
     * tokens, a stop string, maxTokens), and cancels the scheduler request when the caller cancels,
     * {@code onText} throws, a stop string appears or this thread is interrupted.
     */
    private Result generateBatched(int[] ids, int maxTokens, GenerationParameters parameters, Consumer<String> onText,
                                   BooleanSupplier cancelled, Consumer<Runnable> onCancel) throws InterruptedException {
        if (cancelled.getAsBoolean()) {
            return new Result("", "cancelled", ids.length, 0);
        }
        LinkedBlockingQueue<Object> events = new LinkedBlockingQueue<>();
        BatchScheduler.Finish[] finish = new BatchScheduler.Finish[1];
        Throwable[] failure = new Throwable[1];
        BatchScheduler.Request request;
        try {
            request = scheduler.submit(ids, maxTokens, stopTokens, parameters.sampling(), new BatchScheduler.Listener() {
                @Override
                public void token(int token) {
                    events.add(token);
                }

                @Override
                public void finished(BatchScheduler.Finish reason) {
                    finish[0] = reason;
                    events.add(END);
                }

                @Override
                public void failed(Throwable error) {
                    failure[0] = error;
                    events.add(END);
                }
            });
        } catch (BatchScheduler.QueueFullException e) {
            throw new BusyException("model '" + name + "' is busy: " + e.getMessage(), e.retryAfterSeconds());
        }
        onCancel.accept(request::cancel);
        TextDecoder decoder = TextDecoder.streaming(tokenizer);
        StopStrings stopStrings = new StopStrings(parameters.stopStrings());
        int generated = 0;
        String reason = null;
        try {
            while (reason == null) {
                if (cancelled.getAsBoolean()) {
                    request.cancel();
                    reason = "cancelled";
                    break;
                }
                Object event = events.poll(20, TimeUnit.MILLISECONDS);
                if (event == null) {
                    continue;
                }
                if (event == END) {
                    if (failure[0] != null) {
                        throw new IllegalStateException("the GPU batch failed: " + failure[0].getMessage(), failure[0]);
                    }
                    reason = switch (finish[0]) {
                        case STOP -> "stop";
                        case LENGTH -> "length";
                        case CANCELLED -> "cancelled";
                    };
                    break;
                }
                generated++;
                String released = stopStrings.append(decoder.next((Integer) event));
                if (!released.isEmpty()) {
                    onText.accept(released);
                }
                if (stopStrings.stopped()) {
                    request.cancel(); // leaves the batch at the next step, its blocks freed
                    reason = "stop";
                }
            }
        } catch (InterruptedException | RuntimeException e) {
            request.cancel();
            throw e;
        }
        if (!reason.equals("cancelled") && !stopStrings.stopped()) {
            String trailing = stopStrings.append(decoder.flush());
            trailing += stopStrings.stopped() ? "" : stopStrings.finish();
            if (!trailing.isEmpty()) {
                onText.accept(trailing);
            }
            if (stopStrings.stopped()) {
                reason = "stop";
            }
        }
        return new Result(stopStrings.released(), reason, ids.length, generated);
    }

    /**
     * One generation at a time, at most {@code maxWaiting} waiting (fair: in arrival order); one more
     * is a {@link BusyException} whose retry-after estimates when the queue will have moved (the mean
     * duration of recent generations times the generations ahead, 1 to 60 s).
     */
    static final class SingleRunner {
        private final Semaphore turn = new Semaphore(1, true);
        private final AtomicInteger waiting = new AtomicInteger();
        private final int maxWaiting;
        private volatile double meanSeconds = 1.0;

        SingleRunner(int maxWaiting) {
            this.maxWaiting = maxWaiting;
        }

        /** False when the caller cancelled while waiting (checked every 50 ms). */
        boolean acquire(BooleanSupplier cancelled) throws InterruptedException {
            if (turn.tryAcquire(0, TimeUnit.MILLISECONDS)) { // honours fairness, unlike tryAcquire()
                return true;
            }
            int ahead = waiting.incrementAndGet();
            if (ahead > maxWaiting) {
                waiting.decrementAndGet();
                int retryAfter = (int) Math.min(60, Math.max(1, Math.ceil(meanSeconds * ahead)));
                throw new BusyException("the model is busy: one generation runs and " + maxWaiting
                        + " wait; retry after " + retryAfter + " s", retryAfter);
            }
            try {
                while (!turn.tryAcquire(50, TimeUnit.MILLISECONDS)) {
                    if (cancelled.getAsBoolean()) {
                        return false;
                    }
                }
                return true;
            } finally {
                waiting.decrementAndGet();
            }
        }

        void release(long nanos) {
            meanSeconds = 0.8 * meanSeconds + 0.2 * (nanos / 1e9);
            turn.release();
        }

        int waiting() {
            return waiting.get();
        }
    }

    /** How many generations may wait before more are refused ({@link Options#maxWaiting}). */
    public int maxWaiting() {
        return runner.maxWaiting;
    }

    /** Generations waiting for the single runner (CPU; GPU requests too long for the scheduler): for tests and metrics. */
    public int waitingGenerations() {
        return runner.waiting();
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
        if (scheduler != null) {
            scheduler.close(); // unfinished requests end as cancelled
        }
        if (forward instanceof AutoCloseable closeable) {
            closeable.close();
        }
        model.close();
    }
}
