package ai.ensemble.engine.cuda;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import ai.ensemble.engine.sampling.SampledToken;
import ai.ensemble.engine.sampling.Sampler;
import ai.ensemble.engine.sampling.SamplingSettings;

/**
 * Continuous batching on the GPU: a bounded queue of generation requests and a running batch that
 * requests join and leave every step. Each {@link #step}: waiting requests are admitted while the
 * batch has room and the paged KV cache has the blocks for their prompt, every running sequence gets
 * the block its next position needs (preempting if none is free, below), then one batched step
 * ({@link BatchDecoder}) runs a decode row for every running sequence and the prompt rows of newly
 * admitted ones (chunked prefill in the same GEMMs, up to {@code prefillRows} prompt tokens per step),
 * each sequence's next token is streamed to its listener, and sequences that finished (maxTokens,
 * a stop token) or were cancelled leave the batch and free their blocks.
 *
 * <p>Choosing tokens: every request carries its own {@link SamplingSettings}. Plain greedy requests
 * (temperature 0, no penalties, no top logprobs) take the argmax the step computes on the GPU; for
 * the others ("host rows": temperature &gt; 0, penalties, logprobs) the step also copies back the
 * logits of just those rows, in one copy (they are ordered first among the step's outputs), and the
 * request's own {@link Sampler} (its seed, its penalty state) chooses on the host (the rows of a step in
 * parallel, each sampler used by one thread at a time), exactly as
 * batch-1 generation ({@code Generator}) does, so a seeded request gives the same tokens either way
 * (up to the GEMM-versus-GEMV rounding of the logits).
 *
 * <p>KV blocks and preemption. Blocks ({@link KvBlockAllocator}) are taken on demand: admission takes
 * the blocks of the prompt and the first generated position, and a running sequence takes one more
 * block when its next position crosses into it. A request is admitted only if, after its blocks, one
 * free block per already running sequence remains (a small watermark, so that an admission does not
 * force a preemption at once). When a running sequence needs a block and none is free, the most
 * recently admitted running sequence is preempted (it may be the one asking): its blocks are freed and
 * it goes back to the head of the waiting queue with the tokens it generated appended to its prompt,
 * so that on re-admission it recomputes its KV cache in a prefill and continues where it stopped: its
 * listener sees no token twice, its sampler keeps its state (seeded draws continue, penalties remember
 * its output), and maxTokens counts every token generated. Sequences are preempted youngest first, so
 * the oldest running sequence always progresses (one sequence alone always fits: see {@link #submit}),
 * and waiting requests are admitted in order, re-admitted (preempted) ones first. A request that could
 * never fit, prompt + maxTokens over the longest sequence or over the blocks of the whole cache, is
 * refused at {@link #submit} with an {@link IllegalArgumentException}.
 *
 * <p>{@link #submit} may be called from any thread; a full queue throws {@link QueueFullException}
 * (the gateway's 429 with Retry-After). The steps run on one thread: {@link #start} starts a daemon
 * thread that steps while there is work, or a caller drives {@link #step} / {@link #runUntilIdle}.
 * The same {@link CudaForward} may serve batch-1 generations on other threads meanwhile: each step
 * holds the forward's monitor, as its batch-1 calls do, so the two never use the stream and cuBLAS at
 * once. {@link #metrics} reads a snapshot from any thread.
 */
public final class BatchScheduler implements AutoCloseable {

    /** Sizes of the running batch, the paged KV cache and the waiting queue. */
    public record Options(int maxBatch, int blockSize, int blocks, int queueCapacity, int maxSequence, int prefillRows) {
        /** With up to 512 prompt tokens prefilled per step. */
        public Options(int maxBatch, int blockSize, int blocks, int queueCapacity, int maxSequence) {
            this(maxBatch, blockSize, blocks, queueCapacity, maxSequence, 512);
        }

        public static Options defaults() {
            return new Options(64, 16, 4096, 256, 4096, 512);
        }
    }

    /** Receives a request's tokens as they are generated, then exactly one of finished / failed. */
    public interface Listener {
        void token(int token);

        /**
         * A generated token with its sample: the log-probabilities the request's {@link Sampler} computed
         * when the token was chosen on the host, null when it was the GPU's argmax (plain greedy).
         * Calls {@link #token(int)} unless overridden.
         */
        default void token(int token, SampledToken sample) {
            token(token);
        }

        default void finished(Finish reason) {
        }

        default void failed(Throwable error) {
        }
    }

    public enum Finish { LENGTH, STOP, CANCELLED }

    /**
     * A read-only snapshot for metrics: steps run, preemptions so far, sequences running, requests
     * waiting (queued and preempted), KV blocks in use of the total that sequences can use.
     */
    public record Metrics(long steps, long preemptions, int running, int waiting, int kvBlocksInUse, int kvBlocksTotal) {
    }

    /** The waiting queue is full: try again later. */
    public static final class QueueFullException extends RuntimeException {
        private final int retryAfterSeconds;

        QueueFullException(int capacity, int retryAfterSeconds) {
            super("the generation queue is full (" + capacity + " requests waiting); retry after " + retryAfterSeconds + " s");
            this.retryAfterSeconds = retryAfterSeconds;
        }

        public int retryAfterSeconds() {
            return retryAfterSeconds;
        }
    }

    /**
     * What a step runs on: {@link BatchDecoder} on the GPU, or a stand-in in tests. One step: row r runs
     * {@code tokens[r]} at {@code positions[r]} through block table {@code tables[r]}; returns the argmax
     * token of output rows {@code outRows[0..outs)} and fills {@code logits[i]} (vocab floats) with the
     * logits of output i for i &lt; logits.length.
     */
    interface StepRunner extends AutoCloseable {
        int maxBatch();

        int maxRows();

        int vocabSize();

        int[] step(int rows, int[] tokens, int[] positions, int[][] tables, int outs, int[] outRows, float[][] logits);

        boolean graphs();

        @Override
        void close();
    }

    /** A submitted request; {@link #cancel} ends it at the next step and frees its blocks. */
    public static final class Request {
        final int[] prompt;
        final int maxTokens;
        final Set<Integer> stopTokens;
        final Listener listener;
        final Sampler sampler; // null: argmax on the GPU
        private final CountDownLatch done = new CountDownLatch(1);
        volatile boolean cancelled;
        int[] context;      // what a prefill runs: the prompt, and after a preemption the tokens generated before it
        int[] output = new int[16];
        int generated;
        int[] blocks;       // owned blocks, in position order (null while waiting)
        int token;          // the token the next step runs
        int position;       // its position
        int prefilled;      // context tokens in the cache
        int preemptions;

        Request(int[] prompt, int maxTokens, Set<Integer> stopTokens, Sampler sampler, Listener listener) {
            this.prompt = prompt;
            this.context = prompt;
            this.maxTokens = maxTokens;
            this.stopTokens = stopTokens;
            this.sampler = sampler;
            this.listener = listener;
        }

        public void cancel() {
            cancelled = true;
        }

        public boolean await(long timeout, TimeUnit unit) throws InterruptedException {
            return done.await(timeout, unit);
        }

        public boolean isDone() {
            return done.getCount() == 0;
        }

        /** Times this request was preempted (its KV cache dropped and recomputed). */
        public int preemptions() {
            return preemptions;
        }

        void append(int t) {
            if (generated == output.length) {
                output = Arrays.copyOf(output, 2 * output.length);
            }
            output[generated++] = t;
        }
    }

    private final StepRunner decoder;
    private final Object gpu; // the CudaForward: its batch-1 calls (synchronized on it) and our steps never overlap
    private final Options options;
    private final int maxBatch;
    private final ArrayBlockingQueue<Request> queue;
    private final ArrayDeque<Request> preempted = new ArrayDeque<>(); // back at the head of the waiting line
    private final KvBlockAllocator allocator;
    private final List<Request> running = new ArrayList<>(); // in admission order: the last is the youngest
    private final Object wake = new Object();
    private Request admitting; // taken from the queue, waiting for blocks
    private volatile boolean closed;
    private Thread thread;
    private volatile long steps;
    private volatile long preemptions;
    private volatile int runningCount;
    private volatile int preemptedWaiting; // preempted, plus the one taken from the queue and waiting for blocks
    private volatile java.util.function.BiConsumer<Request, float[]> logitsObserver; // tests: what host rows sample from
    private long decodeSteps;  // steps with decode rows only, and their wall time
    private long decodeNanos;

    public BatchScheduler(CudaForward forward, Options options) {
        this(forward, options, CudaPrefill.Precision.SPLIT);
    }

    BatchScheduler(CudaForward forward, Options options, CudaPrefill.Precision precision) {
        this(checked(options), forward, () -> new BatchDecoder(forward, options.maxBatch(), options.prefillRows(),
                options.blockSize(), options.blocks(), options.maxSequence(), precision));
    }

    /** On any step runner (tests: a CPU stand-in); {@code lock} is held during each step. */
    BatchScheduler(Options options, Object lock, java.util.function.Supplier<StepRunner> decoder) {
        checked(options);
        this.options = options;
        this.gpu = lock;
        this.allocator = new KvBlockAllocator(options.blocks(), options.blockSize());
        this.queue = new ArrayBlockingQueue<>(options.queueCapacity());
        this.decoder = decoder.get();
        this.maxBatch = Math.min(this.decoder.maxBatch(), options.maxBatch());
    }

    private static Options checked(Options options) {
        if (options.blocks() < 2 || options.blockSize() <= 0 || options.maxBatch() <= 0 || options.queueCapacity() <= 0
                || options.prefillRows() <= 0 || options.maxSequence() <= 0) {
            throw new IllegalArgumentException("invalid scheduler options " + options);
        }
        return options;
    }

    /** Queues a greedy generation (argmax on the GPU) of up to {@code maxTokens} tokens after {@code prompt}. */
    public Request submit(int[] prompt, int maxTokens, Set<Integer> stopTokens, Listener listener) {
        return submit(prompt, maxTokens, stopTokens, SamplingSettings.GREEDY, listener);
    }

    /**
     * Queues a generation of up to {@code maxTokens} tokens after {@code prompt}, each chosen by
     * {@code sampling} (greedy without penalties or logprobs: on the GPU; otherwise on the host by a
     * {@link Sampler} of this request, seeded by {@code sampling.seed()}).
     *
     * @throws IllegalArgumentException the request can never run: empty prompt, or prompt + maxTokens
     *                                  longer than the longest sequence or than the whole KV cache
     * @throws QueueFullException       the waiting queue is full
     */
    public Request submit(int[] prompt, int maxTokens, Set<Integer> stopTokens, SamplingSettings sampling, Listener listener) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("empty prompt");
        }
        if (maxTokens < 0) {
            throw new IllegalArgumentException("maxTokens must be at least 0, got " + maxTokens);
        }
        if ((long) prompt.length + maxTokens > options.maxSequence()) {
            throw new IllegalArgumentException("prompt (" + prompt.length + " tokens) + maxTokens (" + maxTokens
                    + ") exceed the longest sequence the scheduler runs, " + options.maxSequence() + " positions");
        }
        if (allocator.blocksFor(prompt.length + maxTokens) > allocator.total()) {
            throw new IllegalArgumentException("prompt (" + prompt.length + " tokens) + maxTokens (" + maxTokens + ") need "
                    + allocator.blocksFor(prompt.length + maxTokens) + " KV blocks of " + options.blockSize()
                    + " positions; the whole cache has " + allocator.total());
        }
        if (closed) {
            throw new IllegalStateException("scheduler closed");
        }
        for (int t : prompt) {
            if (t < 0 || t >= decoder.vocabSize()) {
                throw new IllegalArgumentException("token " + t + " is outside the vocabulary of " + decoder.vocabSize());
            }
        }
        Sampler sampler = null;
        if (!onGpu(sampling)) {
            sampler = new Sampler(sampling, decoder.vocabSize());
            sampler.observePrompt(prompt);
        }
        Request request = new Request(prompt.clone(), maxTokens, Set.copyOf(stopTokens), sampler, listener);
        if (!queue.offer(request)) {
            throw new QueueFullException(options.queueCapacity(), 1);
        }
        synchronized (wake) {
            wake.notifyAll();
        }
        return request;
    }

    /** Whether {@code sampling} is the GPU's argmax of the raw logits: greedy, no penalty, no logprobs asked for. */
    public static boolean onGpu(SamplingSettings sampling) {
        return sampling.greedy() && sampling.repetitionPenalty() == 1f && sampling.presencePenalty() == 0f
                && sampling.frequencyPenalty() == 0f && sampling.topLogprobs() == 0;
    }

    /**
     * Admits waiting requests, gives running sequences the blocks of their next position (preempting the
     * youngest when none is free), then runs one step: a decode row for every sequence past its prompt
     * and up to prefillRows prompt rows of sequences still prefilling (a long prompt takes several
     * steps; host-sampled sequences first, then greedy ones, each in admission order); streams each
     * finished row's token and retires finished sequences. False when there was nothing to do.
     */
    public boolean step() {
        try {
            return stepOnce();
        } finally {
            publish();
        }
    }

    private boolean stepOnce() {
        retireCancelled();
        admit();
        growOrPreempt();
        if (running.isEmpty()) {
            return admitting != null || !preempted.isEmpty() || !queue.isEmpty();
        }
        int maxRows = decoder.maxRows();
        int[] tokens = new int[maxRows];
        int[] positions = new int[maxRows];
        int[][] tables = new int[maxRows][];
        int[] outRows = new int[running.size()];
        Request[] outRequests = new Request[running.size()];
        int rows = 0;
        int outs = 0;
        int hostOuts = 0;
        int promptBudget = options.prefillRows();
        for (int pass = 0; pass < 2; pass++) { // host-sampled rows first: their logits are outputs 0..hostOuts-1
            for (Request r : running) {
                if ((r.sampler != null) != (pass == 0)) {
                    continue;
                }
                if (r.prefilled < r.context.length) {
                    int k = Math.min(r.context.length - r.prefilled, promptBudget);
                    if (k == 0) {
                        continue;
                    }
                    promptBudget -= k;
                    for (int i = 0; i < k; i++) {
                        tokens[rows] = r.context[r.prefilled + i];
                        positions[rows] = r.prefilled + i;
                        tables[rows] = r.blocks;
                        rows++;
                    }
                    r.prefilled += k;
                    if (r.prefilled == r.context.length) {
                        r.position = r.context.length - 1; // the last context row gives the next token
                        outRows[outs] = rows - 1;
                        outRequests[outs++] = r;
                    }
                } else {
                    tokens[rows] = r.token;
                    positions[rows] = r.position;
                    tables[rows] = r.blocks;
                    outRows[outs] = rows;
                    outRequests[outs++] = r;
                    rows++;
                }
            }
            if (pass == 0) {
                hostOuts = outs;
            }
        }
        if (outs == 0) {
            // only partial prompts this step: compute them, ask for one (ignored) output row
            synchronized (gpu) {
                decoder.step(rows, tokens, positions, tables, 1, new int[] {rows - 1}, new float[0][]);
            }
            steps++;
            return true;
        }
        boolean decodeOnly = promptBudget == options.prefillRows();
        long started = System.nanoTime();
        int[] next;
        float[][] logits = new float[hostOuts][];
        synchronized (gpu) {
            next = decoder.step(rows, tokens, positions, tables, outs, outRows, logits);
        }
        steps++;
        if (decodeOnly) {
            decodeNanos += System.nanoTime() - started;
            decodeSteps++;
        }
        java.util.function.BiConsumer<Request, float[]> observer = logitsObserver;
        for (int i = 0; observer != null && i < hostOuts; i++) {
            observer.accept(outRequests[i], logits[i]);
        }
        SampledToken[] samples = new SampledToken[hostOuts];
        RuntimeException[] errors = new RuntimeException[hostOuts];
        IntStream sampling = IntStream.range(0, hostOuts);
        (hostOuts > 1 ? sampling.parallel() : sampling).forEach(i -> { // each request its own sampler: independent
            try {
                samples[i] = outRequests[i].sampler.sample(logits[i]);
            } catch (RuntimeException e) {
                errors[i] = e;
            }
        });
        for (int i = 0; i < outs; i++) {
            Request r = outRequests[i];
            int token = next[i];
            SampledToken sample = null;
            if (i < hostOuts) {
                if (errors[i] != null) {
                    running.remove(r);
                    release(r);
                    fail(r, errors[i]);
                    continue;
                }
                sample = samples[i];
                token = sample.token();
            }
            Finish finish = null;
            if (r.stopTokens.contains(token)) {
                finish = Finish.STOP;
            } else {
                r.append(token);
                try {
                    r.listener.token(token, sample);
                } catch (RuntimeException e) {
                    r.cancelled = true;
                }
                r.token = token;
                r.position++;
                if (r.generated >= r.maxTokens) {
                    finish = Finish.LENGTH;
                }
            }
            if (finish != null) {
                running.remove(r);
                release(r);
                finish(r, finish);
            }
        }
        return true;
    }

    private void retireCancelled() {
        for (Iterator<Request> it = running.iterator(); it.hasNext(); ) {
            Request r = it.next();
            if (r.cancelled) {
                it.remove();
                release(r);
                finish(r, Finish.CANCELLED);
            }
        }
        for (Iterator<Request> it = preempted.iterator(); it.hasNext(); ) {
            Request r = it.next();
            if (r.cancelled) {
                it.remove();
                finish(r, Finish.CANCELLED);
            }
        }
        if (admitting != null && admitting.cancelled) {
            finish(admitting, Finish.CANCELLED);
            admitting = null;
        }
    }

    /** In order: preempted requests, the one waiting for blocks, then the queue; stops at the first that does not fit. */
    private void admit() {
        while (running.size() < maxBatch) {
            boolean resumed = !preempted.isEmpty();
            Request r = resumed ? preempted.peekFirst() : admitting != null ? admitting : queue.poll();
            if (r == null) {
                return;
            }
            if (!resumed) {
                admitting = r;
            }
            if (r.cancelled || r.maxTokens <= 0) {
                take(r, resumed);
                finish(r, r.cancelled ? Finish.CANCELLED : Finish.LENGTH);
                continue;
            }
            int positions = r.context.length + 1; // the context and the first position generated
            if (allocator.blocksFor(positions) + running.size() > allocator.free()) {
                return; // waits for blocks (one per running sequence stays free for it to grow)
            }
            take(r, resumed);
            r.blocks = allocator.grow(null, positions);
            r.prefilled = 0;
            running.add(r);
        }
    }

    private void take(Request r, boolean resumed) {
        if (resumed) {
            preempted.pollFirst();
        } else {
            admitting = null;
        }
    }

    /**
     * Oldest first, each decoding sequence gets the block of the position it runs next; when none is
     * free, the youngest running sequence is preempted, until the block is found or the asking sequence
     * itself was the youngest and is preempted.
     */
    private void growOrPreempt() {
        for (int i = 0; i < running.size(); i++) {
            Request r = running.get(i);
            if (r.prefilled < r.context.length) {
                continue; // prefilling: admission took the blocks of its context
            }
            while (true) {
                int[] grown = allocator.grow(r.blocks, r.position + 1);
                if (grown != null) {
                    r.blocks = grown;
                    break;
                }
                if (running.size() == 1) {
                    throw new IllegalStateException("a lone sequence ran out of KV blocks: " + allocator.free() + " free of "
                            + allocator.total() + " for position " + r.position);
                }
                Request youngest = running.getLast();
                preempt(youngest);
                if (youngest == r) {
                    break; // r was the youngest: nothing after it remains
                }
            }
        }
    }

    /** Frees the sequence's blocks and puts it at the head of the waiting line, to recompute its context on re-admission. */
    private void preempt(Request r) {
        running.remove(r);
        release(r);
        int[] context = Arrays.copyOf(r.prompt, r.prompt.length + r.generated);
        System.arraycopy(r.output, 0, context, r.prompt.length, r.generated);
        r.context = context;
        r.prefilled = 0;
        r.preemptions++;
        preemptions++;
        preempted.addFirst(r);
    }

    private void release(Request r) {
        allocator.release(r.blocks);
        r.blocks = null;
    }

    /** Ends {@code r} (already out of the batch, its blocks freed); the metrics show it gone before its listener hears. */
    private void finish(Request r, Finish reason) {
        publish();
        try {
            r.listener.finished(reason);
        } finally {
            r.done.countDown();
        }
    }

    private void fail(Request r, Throwable error) {
        publish();
        try {
            r.listener.failed(error);
        } finally {
            r.done.countDown();
        }
    }

    private void publish() {
        runningCount = running.size();
        preemptedWaiting = preempted.size() + (admitting != null ? 1 : 0);
    }

    /** Steps on the calling thread until no request is running or waiting. */
    public void runUntilIdle() {
        while (step()) {
            // continue
        }
    }

    /** Steps on a daemon thread while there is work, sleeping when idle. */
    public synchronized void start() {
        if (thread != null) {
            return;
        }
        thread = Thread.ofPlatform().daemon().name("ensemble-gpu-scheduler").start(() -> {
            while (!closed) {
                try {
                    if (!step()) {
                        synchronized (wake) {
                            if (queue.isEmpty() && !closed) {
                                wake.wait(50);
                            }
                        }
                    }
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    for (Request r : running) {
                        release(r);
                        fail(r, e);
                    }
                    running.clear();
                    publish();
                }
            }
        });
    }

    public int freeBlocks() {
        return allocator.free();
    }

    public int runningCount() {
        return runningCount;
    }

    public long steps() {
        return steps;
    }

    /** A snapshot of the scheduler's counters; may be called from any thread. */
    public Metrics metrics() {
        return new Metrics(steps, preemptions, runningCount, queue.size() + preemptedWaiting, allocator.inUse(), allocator.total());
    }

    /** Tests: receives, on the stepping thread, the logits each host-sampled row is sampled from (not to be modified). */
    void observeLogits(java.util.function.BiConsumer<Request, float[]> observer) {
        this.logitsObserver = observer;
    }

    /** Steps with decode rows only so far, and their wall time in ns (host included). */
    long[] decodeStepsAndNanos() {
        return new long[] {decodeSteps, decodeNanos};
    }

    boolean usesGraphs() {
        return decoder.graphs();
    }

    @Override
    public void close() {
        closed = true;
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t != null) {
            synchronized (wake) {
                wake.notifyAll();
            }
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Request r : running) {
            release(r);
            finish(r, Finish.CANCELLED);
        }
        running.clear();
        Request r;
        while ((r = preempted.poll()) != null) {
            finish(r, Finish.CANCELLED);
        }
        if (admitting != null) {
            finish(admitting, Finish.CANCELLED);
            admitting = null;
        }
        while ((r = queue.poll()) != null) {
            finish(r, Finish.CANCELLED);
        }
        publish();
        decoder.close();
    }

    @Override
    public String toString() {
        return "BatchScheduler" + Arrays.asList(options);
    }
}
