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

/**
 * Continuous batching on the GPU: a bounded queue of generation requests and a running batch that
 * requests join and leave every step. Each {@link #step}: waiting requests are admitted while the
 * batch has room and the paged KV cache has the blocks for their prompt and maxTokens (a request that
 * does not fit waits; no preemption yet), then one batched step ({@link BatchDecoder}) runs a decode row
 * for every running sequence and the prompt rows of newly admitted ones (chunked prefill in the same
 * GEMMs, up to {@code prefillRows} prompt tokens per step),
 * each sequence's greedy token is streamed to its listener, and sequences that finished (maxTokens,
 * a stop token) or were cancelled leave the batch and free their blocks.
 *
 * <p>{@link #submit} may be called from any thread; a full queue throws {@link QueueFullException}
 * (the gateway's 429 with Retry-After). The steps run on one thread: {@link #start} starts a daemon
 * thread that steps while there is work, or a caller drives {@link #step} / {@link #runUntilIdle}.
 * Sampling is greedy (argmax on the GPU). The same {@link CudaForward} may serve batch-1 generations
 * on other threads meanwhile ({@code LocalModel} does, for sampled requests): each step holds the
 * forward's monitor, as its batch-1 calls do, so the two never use the stream and cuBLAS at once.
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

        default void finished(Finish reason) {
        }

        default void failed(Throwable error) {
        }
    }

    public enum Finish { LENGTH, STOP, CANCELLED }

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

    /** A submitted request; {@link #cancel} ends it at the next step and frees its blocks. */
    public static final class Request {
        final int[] prompt;
        final int maxTokens;
        final Set<Integer> stopTokens;
        final Listener listener;
        private final CountDownLatch done = new CountDownLatch(1);
        volatile boolean cancelled;
        int[] blocks;       // owned blocks, in position order
        int token;          // the token the next step runs
        int position;       // its position
        int generated;
        int prefilled;      // prompt tokens in the cache

        Request(int[] prompt, int maxTokens, Set<Integer> stopTokens, Listener listener) {
            this.prompt = prompt;
            this.maxTokens = maxTokens;
            this.stopTokens = stopTokens;
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
    }

    private final BatchDecoder decoder;
    private final Object gpu; // the CudaForward: its batch-1 calls (synchronized on it) and our steps never overlap
    private final Options options;
    private final ArrayBlockingQueue<Request> queue;
    private final ArrayDeque<Integer> freeBlocks = new ArrayDeque<>();
    private final List<Request> running = new ArrayList<>();
    private final Object wake = new Object();
    private Request admitting; // taken from the queue, waiting for blocks
    private volatile boolean closed;
    private Thread thread;
    private long steps;
    private long decodeSteps;  // steps with decode rows only, and their wall time
    private long decodeNanos;

    public BatchScheduler(CudaForward forward, Options options) {
        this(forward, options, CudaPrefill.Precision.SPLIT);
    }

    BatchScheduler(CudaForward forward, Options options, CudaPrefill.Precision precision) {
        if (options.blocks() < 2 || options.blockSize() <= 0 || options.maxBatch() <= 0 || options.queueCapacity() <= 0 || options.prefillRows() <= 0) {
            throw new IllegalArgumentException("invalid scheduler options " + options);
        }
        this.options = options;
        this.gpu = forward;
        this.decoder = new BatchDecoder(forward, options.maxBatch(), options.prefillRows(), options.blockSize(), options.blocks(), options.maxSequence(), precision);
        this.queue = new ArrayBlockingQueue<>(options.queueCapacity());
        for (int b = 1; b < options.blocks(); b++) { // block 0: padding rows
            freeBlocks.add(b);
        }
    }

    /** Queues a greedy generation of up to {@code maxTokens} tokens after {@code prompt}; throws {@link QueueFullException} when full. */
    public Request submit(int[] prompt, int maxTokens, Set<Integer> stopTokens, Listener listener) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("empty prompt");
        }
        if (prompt.length + maxTokens > options.maxSequence()) {
            throw new IllegalArgumentException("prompt (" + prompt.length + ") + maxTokens (" + maxTokens
                    + ") exceed the longest sequence, " + options.maxSequence());
        }
        if (blocksFor(prompt.length + maxTokens) > options.blocks() - 1) {
            throw new IllegalArgumentException("the request needs more KV blocks than the cache has");
        }
        if (closed) {
            throw new IllegalStateException("scheduler closed");
        }
        Request request = new Request(prompt.clone(), maxTokens, Set.copyOf(stopTokens), listener);
        if (!queue.offer(request)) {
            throw new QueueFullException(options.queueCapacity(), 1);
        }
        synchronized (wake) {
            wake.notifyAll();
        }
        return request;
    }

    private int blocksFor(int positions) {
        return (positions + options.blockSize() - 1) / options.blockSize();
    }

    /**
     * Admits waiting requests, then runs one step: a decode row for every sequence past its prompt and
     * up to prefillRows prompt rows of sequences still prefilling (a long prompt takes several steps);
     * streams each finished row's token and retires finished sequences. False when there was nothing to do.
     */
    public boolean step() {
        retireCancelled();
        admit();
        if (running.isEmpty()) {
            return admitting != null || !queue.isEmpty();
        }
        int maxRows = decoder.maxRows;
        int[] tokens = new int[maxRows];
        int[] positions = new int[maxRows];
        int[][] tables = new int[maxRows][];
        int[] outRows = new int[running.size()];
        Request[] outRequests = new Request[running.size()];
        int rows = 0;
        int outs = 0;
        int promptBudget = options.prefillRows();
        for (Request r : running) {
            if (r.prefilled < r.prompt.length) {
                int k = Math.min(r.prompt.length - r.prefilled, promptBudget);
                if (k == 0) {
                    continue;
                }
                promptBudget -= k;
                for (int i = 0; i < k; i++) {
                    tokens[rows] = r.prompt[r.prefilled + i];
                    positions[rows] = r.prefilled + i;
                    tables[rows] = r.blocks;
                    rows++;
                }
                r.prefilled += k;
                if (r.prefilled == r.prompt.length) {
                    r.position = r.prompt.length - 1; // the last prompt row gives the first token
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
        if (outs == 0) {
            // only partial prompts this step: compute them, ask for one (ignored) output row
            synchronized (gpu) {
                decoder.step(rows, tokens, positions, tables, 1, new int[] {rows - 1});
            }
            steps++;
            return true;
        }
        boolean decodeOnly = promptBudget == options.prefillRows();
        long started = System.nanoTime();
        int[] next;
        synchronized (gpu) {
            next = decoder.step(rows, tokens, positions, tables, outs, outRows);
        }
        steps++;
        if (decodeOnly) {
            decodeNanos += System.nanoTime() - started;
            decodeSteps++;
        }
        for (int i = 0; i < outs; i++) {
            Request r = outRequests[i];
            int token = next[i];
            Finish finish = null;
            if (r.stopTokens.contains(token)) {
                finish = Finish.STOP;
            } else {
                r.generated++;
                try {
                    r.listener.token(token);
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
        if (admitting != null && admitting.cancelled) {
            finish(admitting, Finish.CANCELLED);
            admitting = null;
        }
    }

    private void admit() {
        while (running.size() < decoder.maxBatch && running.size() < options.maxBatch()) {
            Request r = admitting != null ? admitting : queue.poll();
            if (r == null) {
                return;
            }
            admitting = null;
            if (r.cancelled) {
                finish(r, Finish.CANCELLED);
                continue;
            }
            int needed = blocksFor(r.prompt.length + r.maxTokens);
            if (needed > freeBlocks.size()) {
                admitting = r; // waits for blocks
                return;
            }
            r.blocks = new int[needed];
            for (int i = 0; i < needed; i++) {
                r.blocks[i] = freeBlocks.poll();
            }
            if (r.maxTokens <= 0) {
                release(r);
                finish(r, Finish.LENGTH);
                continue;
            }
            running.add(r);
        }
    }

    private void release(Request r) {
        if (r.blocks != null) {
            for (int b : r.blocks) {
                freeBlocks.add(b);
            }
            r.blocks = null;
        }
    }

    private static void finish(Request r, Finish reason) {
        try {
            r.listener.finished(reason);
        } finally {
            r.done.countDown();
        }
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
                        r.listener.failed(e);
                        r.done.countDown();
                    }
                    running.clear();
                }
            }
        });
    }

    public int freeBlocks() {
        return freeBlocks.size();
    }

    public int runningCount() {
        return running.size();
    }

    public long steps() {
        return steps;
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
        if (admitting != null) {
            finish(admitting, Finish.CANCELLED);
            admitting = null;
        }
        Request r;
        while ((r = queue.poll()) != null) {
            finish(r, Finish.CANCELLED);
        }
        decoder.close();
    }

    @Override
    public String toString() {
        return "BatchScheduler" + Arrays.asList(options);
    }
}
