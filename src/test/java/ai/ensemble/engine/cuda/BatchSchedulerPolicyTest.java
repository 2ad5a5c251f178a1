package ai.ensemble.engine.cuda;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import ai.ensemble.engine.sampling.SampledToken;
import ai.ensemble.engine.sampling.Sampler;
import ai.ensemble.engine.sampling.SamplingSettings;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The scheduler's admission, on-demand KV blocks, preemption and host sampling, without a GPU: the
 * step runs on {@link FakeModel}, a stand-in whose paged "KV cache" holds the tokens written at each
 * position and whose logits are a pseudo-random function of all tokens a row reads back through its
 * block table. A block shared by two live sequences, a missing block, a stale or unwritten position,
 * a token lost or repeated across a preemption, or the logits of the wrong row would change a
 * sequence's output, so each sequence is checked against {@link #reference}, the same model run one
 * sequence at a time (as batch-1 generation runs the {@link Sampler}).
 */
class BatchSchedulerPolicyTest {

    static final int VOCAB = 50;

    /** A model of the paged cache: pool[block · blockSize + offset] is the token written there. */
    static final class FakeModel implements BatchScheduler.StepRunner {
        final int maxBatch;
        final int maxRows;
        final int blockSize;
        final int[] pool;
        int steps;
        int hostRowsSeen;

        FakeModel(BatchScheduler.Options options) {
            this.maxBatch = options.maxBatch();
            this.maxRows = options.maxBatch() + options.prefillRows();
            this.blockSize = options.blockSize();
            this.pool = new int[options.blocks() * options.blockSize()];
            Arrays.fill(pool, -1);
        }

        @Override
        public int maxBatch() {
            return maxBatch;
        }

        @Override
        public int maxRows() {
            return maxRows;
        }

        @Override
        public int vocabSize() {
            return VOCAB;
        }

        @Override
        public int[] step(int rows, int[] tokens, int[] positions, int[][] tables, int outs, int[] outRows, float[][] logits) {
            assertThat(rows).isBetween(1, maxRows);
            assertThat(outs).isBetween(1, maxBatch);
            steps++;
            for (int r = 0; r < rows; r++) { // every row's KV is written before any row reads (as the GPU step)
                pool[slot(tables[r], positions[r])] = tokens[r];
            }
            int[] next = new int[outs];
            for (int i = 0; i < outs; i++) {
                int row = outRows[i];
                int[] seen = new int[positions[row] + 1];
                for (int p = 0; p <= positions[row]; p++) {
                    seen[p] = pool[slot(tables[row], p)];
                    if (seen[p] < 0) {
                        throw new AssertionError("position " + p + " read before it was written");
                    }
                }
                float[] l = logitsAfter(seen, seen.length);
                next[i] = Sampler.argmax(l);
                if (i < logits.length) {
                    logits[i] = l;
                    hostRowsSeen++;
                }
            }
            return next;
        }

        private int slot(int[] table, int position) {
            int index = position / blockSize;
            if (index >= table.length) {
                throw new AssertionError("position " + position + " beyond the table's " + table.length + " blocks");
            }
            if (table[index] == 0) {
                throw new AssertionError("a sequence uses block 0, the padding block");
            }
            return table[index] * blockSize + position % blockSize;
        }

        @Override
        public boolean graphs() {
            return false;
        }

        @Override
        public void close() {
        }
    }

    /** Pseudo-random logits seeded by the whole sequence so far; a few tokens clearly more likely. */
    static float[] logitsAfter(int[] sequence, int length) {
        long h = 1469598103934665603L;
        for (int i = 0; i < length; i++) {
            h = (h ^ sequence[i]) * 1099511628211L;
        }
        SplittableRandom random = new SplittableRandom(h);
        float[] logits = new float[VOCAB];
        for (int v = 0; v < VOCAB; v++) {
            logits[v] = (float) (random.nextGaussian() * 2.0);
        }
        return logits;
    }

    /** The model one sequence at a time: the tokens and samples the Generator would produce. */
    static List<SampledToken> reference(int[] prompt, int maxTokens, Set<Integer> stops, SamplingSettings sampling) {
        Sampler sampler = new Sampler(sampling, VOCAB);
        sampler.observePrompt(prompt);
        int[] sequence = Arrays.copyOf(prompt, prompt.length + maxTokens);
        int length = prompt.length;
        List<SampledToken> out = new ArrayList<>();
        while (out.size() < maxTokens) {
            SampledToken sample = sampler.sample(logitsAfter(sequence, length));
            if (stops.contains(sample.token())) {
                break;
            }
            out.add(sample);
            sequence[length++] = sample.token();
        }
        return out;
    }

    static final class Collect implements BatchScheduler.Listener {
        final List<Integer> tokens = new ArrayList<>();
        final List<SampledToken> samples = new ArrayList<>();
        BatchScheduler.Finish finish;
        int finishes;

        @Override
        public void token(int token) {
            throw new AssertionError("the scheduler calls token(int, SampledToken)");
        }

        @Override
        public void token(int token, SampledToken sample) {
            assertThat(finish).as("no token after the end").isNull();
            tokens.add(token);
            samples.add(sample);
        }

        @Override
        public void finished(BatchScheduler.Finish reason) {
            finish = reason;
            finishes++;
        }

        @Override
        public void failed(Throwable error) {
            throw new AssertionError("failed", error);
        }
    }

    record Job(int[] prompt, int maxTokens, Set<Integer> stops, SamplingSettings sampling, Collect collect,
               BatchScheduler.Request request) {
        void check() {
            List<SampledToken> want = reference(prompt, maxTokens, stops, sampling);
            assertThat(collect.tokens).as("tokens of %s", this)
                    .containsExactlyElementsOf(want.stream().map(SampledToken::token).toList());
            if (!BatchScheduler.onGpu(sampling)) {
                assertThat(collect.samples).as("samples (logprobs) of %s", this).containsExactlyElementsOf(want);
            } else {
                assertThat(collect.samples).allMatch(java.util.Objects::isNull);
            }
            assertThat(collect.finishes).isEqualTo(1);
            assertThat(collect.finish).isEqualTo(want.size() == maxTokens ? BatchScheduler.Finish.LENGTH : BatchScheduler.Finish.STOP);
        }

        @Override
        public String toString() {
            return "prompt " + prompt.length + ", maxTokens " + maxTokens + ", " + sampling + ", preempted " + request.preemptions();
        }
    }

    private static Job submit(BatchScheduler scheduler, int[] prompt, int maxTokens, Set<Integer> stops, SamplingSettings sampling) {
        Collect collect = new Collect();
        BatchScheduler.Request request = scheduler.submit(prompt, maxTokens, stops, sampling, collect);
        return new Job(prompt, maxTokens, stops, sampling, collect, request);
    }

    private static int[] prompt(int length, int seed) {
        int[] p = new int[length];
        for (int i = 0; i < length; i++) {
            p[i] = (i * 7 + seed * 13 + 3) % VOCAB;
        }
        return p;
    }

    private static BatchScheduler scheduler(BatchScheduler.Options options, FakeModel[] model) {
        return new BatchScheduler(options, new Object(), () -> model[0] = new FakeModel(options));
    }

    /** Steps until idle, checking after each step that blocks in use never exceed the total. */
    private static void runChecked(BatchScheduler scheduler) {
        for (int i = 0; i < 100_000 && scheduler.step(); i++) {
            BatchScheduler.Metrics m = scheduler.metrics();
            assertThat(m.kvBlocksInUse()).isBetween(0, m.kvBlocksTotal());
            assertThat(m.kvBlocksInUse() + scheduler.freeBlocks()).isEqualTo(m.kvBlocksTotal());
        }
        assertThat(scheduler.step()).isFalse();
    }

    @Test
    void blocksAreTakenAsTheSequenceGrows() {
        BatchScheduler.Options options = new BatchScheduler.Options(4, 4, 33, 8, 64, 64);
        FakeModel[] model = new FakeModel[1];
        try (BatchScheduler scheduler = scheduler(options, model)) {
            Job job = submit(scheduler, prompt(5, 1), 20, Set.of(), SamplingSettings.GREEDY);
            scheduler.step(); // prefill of 5 positions + the first generated one: 2 blocks
            assertThat(job.collect.tokens).hasSize(1);
            assertThat(scheduler.metrics().kvBlocksInUse()).isEqualTo(2);
            for (int generated = 1; generated < 20; generated++) {
                // the next step runs generated token number `generated` at position 5 + generated - 1
                int position = 5 + generated - 1;
                scheduler.step();
                assertThat(scheduler.metrics().kvBlocksInUse()).as("after %d tokens", generated + 1)
                        .isEqualTo(generated + 1 == 20 ? 0 : Math.max(2, (position + 1 + 3) / 4));
            }
            assertThat(job.request.isDone()).isTrue();
            job.check();
            assertThat(scheduler.metrics()).isEqualTo(new BatchScheduler.Metrics(20, 0, 0, 0, 0, 32));
        }
    }

    @Test
    void aFullPoolPreemptsTheYoungestWhichResumesWithoutRepeatingTokens() {
        // 8 usable blocks of 4 positions; each sequence needs up to 7 (6 prompt + 20 tokens)
        BatchScheduler.Options options = new BatchScheduler.Options(4, 4, 9, 8, 64, 64);
        FakeModel[] model = new FakeModel[1];
        try (BatchScheduler scheduler = scheduler(options, model)) {
            List<Job> jobs = new ArrayList<>();
            for (int s = 0; s < 4; s++) {
                jobs.add(submit(scheduler, prompt(6, s), 20, Set.of(), SamplingSettings.GREEDY));
            }
            scheduler.step();
            // admitted while one free block per running sequence stays: 2 blocks each (6 + 1 positions) for the
            // first three; the fourth would need 2 + 3 of the 2 left
            BatchScheduler.Metrics m = scheduler.metrics();
            assertThat(m.running()).isEqualTo(3);
            assertThat(m.waiting()).isEqualTo(1);
            assertThat(m.kvBlocksInUse()).isEqualTo(6);
            while (scheduler.metrics().preemptions() == 0) {
                assertThat(scheduler.step()).isTrue();
            }
            assertThat(jobs.get(2).request.preemptions()).as("the most recently admitted is preempted first").isEqualTo(1);
            assertThat(jobs.get(0).request.preemptions()).isZero();
            assertThat(jobs.get(1).request.preemptions()).isZero();
            assertThat(scheduler.metrics().running()).isEqualTo(2);
            assertThat(scheduler.metrics().waiting()).isEqualTo(2);
            runChecked(scheduler);
            for (Job job : jobs) {
                job.check();
            }
            assertThat(jobs.get(0).request.preemptions()).as("the oldest always progresses").isZero();
            assertThat(scheduler.metrics().preemptions()).isGreaterThanOrEqualTo(1);
            assertThat(scheduler.freeBlocks()).isEqualTo(8);
            System.out.println("preemption test: " + scheduler.metrics() + ", preemptions per request "
                    + jobs.stream().map(j -> j.request.preemptions()).toList());
        }
    }

    @Test
    void sampledAndGreedyRequestsShareTheBatchAndMatchBatchOneSampling() {
        BatchScheduler.Options options = new BatchScheduler.Options(8, 4, 17, 16, 64, 16); // prompts prefill in chunks
        FakeModel[] model = new FakeModel[1];
        List<SamplingSettings> settings = List.of(
                SamplingSettings.GREEDY,
                SamplingSettings.withTemperature(0.8f, 42L),
                SamplingSettings.withTemperature(1.3f, 7L).withTopK(10),
                SamplingSettings.GREEDY.withPenalties(1.3f, 0.5f, 0.2f),                 // greedy after penalties: host
                SamplingSettings.withTemperature(0.7f, 1L).withTopP(0.9f).withTopLogprobs(3),
                SamplingSettings.GREEDY.withTopLogprobs(2),                              // greedy with logprobs: host
                SamplingSettings.withTemperature(1f, 99L).withMinP(0.05f).withPenalties(1.1f, 0f, 0.3f),
                SamplingSettings.GREEDY);
        try (BatchScheduler scheduler = scheduler(options, model)) {
            List<Job> jobs = new ArrayList<>();
            for (int s = 0; s < settings.size(); s++) {
                jobs.add(submit(scheduler, prompt(3 + 5 * s, s), 24, Set.of(), settings.get(s)));
            }
            runChecked(scheduler);
            for (Job job : jobs) {
                job.check();
            }
            assertThat(scheduler.metrics().preemptions()).as("the 16-block pool forces preemptions").isPositive();
            assertThat(model[0].hostRowsSeen).as("only host rows' logits copied").isEqualTo(6 * 24);
        }
    }

    @Test
    void stopTokensEndSequencesAndCountNoToken() {
        BatchScheduler.Options options = new BatchScheduler.Options(4, 4, 33, 8, 64, 64);
        FakeModel[] model = new FakeModel[1];
        try (BatchScheduler scheduler = scheduler(options, model)) {
            List<Job> jobs = new ArrayList<>();
            for (int s = 0; s < 6; s++) {
                // the most likely tokens of the fake model stop some sequences early
                jobs.add(submit(scheduler, prompt(4, s), 30, Set.of(1, 2, 3, 4, 5), s % 2 == 0 ? SamplingSettings.GREEDY
                        : SamplingSettings.withTemperature(1f, (long) s)));
            }
            runChecked(scheduler);
            for (Job job : jobs) {
                job.check();
            }
            assertThat(jobs.stream().filter(j -> j.collect.finish == BatchScheduler.Finish.STOP)).isNotEmpty();
        }
    }

    @Test
    void cancellationFreesBlocksOfRunningAndPreemptedRequests() {
        BatchScheduler.Options options = new BatchScheduler.Options(4, 4, 9, 8, 64, 64);
        FakeModel[] model = new FakeModel[1];
        try (BatchScheduler scheduler = scheduler(options, model)) {
            List<Job> jobs = new ArrayList<>();
            for (int s = 0; s < 4; s++) {
                jobs.add(submit(scheduler, prompt(6, s), 20, Set.of(), SamplingSettings.withTemperature(0.9f, (long) s)));
            }
            while (scheduler.metrics().preemptions() == 0) {
                scheduler.step();
            }
            jobs.get(2).request.cancel(); // preempted, waiting
            jobs.get(0).request.cancel(); // running
            scheduler.step();
            assertThat(jobs.get(0).collect.finish).isEqualTo(BatchScheduler.Finish.CANCELLED);
            assertThat(jobs.get(2).collect.finish).isEqualTo(BatchScheduler.Finish.CANCELLED);
            assertThat(jobs.get(0).request.isDone()).isTrue();
            runChecked(scheduler);
            jobs.get(1).check();
            jobs.get(3).check();
            assertThat(scheduler.freeBlocks()).isEqualTo(8);
            assertThat(scheduler.metrics().kvBlocksInUse()).isZero();
            // cancelled requests got a prefix of what they would have generated
            for (int s : new int[] {0, 2}) {
                Job job = jobs.get(s);
                List<Integer> full = reference(job.prompt, 20, Set.of(), job.sampling).stream().map(SampledToken::token).toList();
                assertThat(full).startsWith(job.collect.tokens.toArray(Integer[]::new));
                assertThat(job.collect.finishes).isEqualTo(1);
            }
        }
    }

    @Test
    void randomLoadWithCancellationsNeverOverbooksAndMatchesTheReference() {
        SplittableRandom random = new SplittableRandom(5);
        for (int round = 0; round < 20; round++) {
            int blockSize = 1 + random.nextInt(6);
            int blocks = 2 + random.nextInt(30);
            int maxSequence = Math.min(80, (blocks - 1) * blockSize);
            BatchScheduler.Options options = new BatchScheduler.Options(1 + random.nextInt(6), blockSize, blocks, 64,
                    maxSequence, 1 + random.nextInt(24));
            FakeModel[] model = new FakeModel[1];
            try (BatchScheduler scheduler = scheduler(options, model)) {
                List<Job> jobs = new ArrayList<>();
                List<Job> cancelled = new ArrayList<>();
                for (int step = 0; step < 400; step++) {
                    if (jobs.size() < 30 && random.nextInt(3) == 0) {
                        int length = 1 + random.nextInt(Math.max(1, maxSequence / 2));
                        int maxTokens = random.nextInt(maxSequence - length + 1);
                        SamplingSettings sampling = random.nextBoolean() ? SamplingSettings.GREEDY
                                : SamplingSettings.withTemperature(0.5f + random.nextFloat(), random.nextLong());
                        jobs.add(submit(scheduler, prompt(length, random.nextInt(1000)), maxTokens, Set.of(7), sampling));
                    }
                    if (!jobs.isEmpty() && random.nextInt(25) == 0) {
                        Job victim = jobs.get(random.nextInt(jobs.size()));
                        if (!victim.request.isDone()) {
                            victim.request.cancel();
                            cancelled.add(victim);
                        }
                    }
                    scheduler.step();
                    BatchScheduler.Metrics m = scheduler.metrics();
                    assertThat(m.kvBlocksInUse()).isBetween(0, m.kvBlocksTotal());
                }
                runChecked(scheduler);
                for (Job job : jobs) {
                    assertThat(job.request.isDone()).isTrue();
                    if (!cancelled.contains(job)) {
                        job.check();
                    } else {
                        assertThat(job.collect.finishes).isEqualTo(1);
                    }
                }
                assertThat(scheduler.freeBlocks()).as("round %d, %s", round, options).isEqualTo(blocks - 1);
            }
        }
    }

    @Test
    void requestsThatCanNeverFitAreRefusedAtSubmit() {
        BatchScheduler.Options options = new BatchScheduler.Options(4, 4, 5, 2, 64, 64); // 4 blocks: 16 positions
        try (BatchScheduler scheduler = scheduler(options, new FakeModel[1])) {
            assertThatThrownBy(() -> scheduler.submit(prompt(10, 0), 60, Set.of(), new Collect()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("longest sequence").hasMessageContaining("64");
            assertThatThrownBy(() -> scheduler.submit(prompt(10, 0), 7, Set.of(), new Collect()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("KV blocks").hasMessageContaining("has 4");
            assertThatThrownBy(() -> scheduler.submit(new int[0], 1, Set.of(), new Collect()))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> scheduler.submit(new int[] {VOCAB}, 1, Set.of(), new Collect()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vocabulary");
            Job fits = submit(scheduler, prompt(10, 0), 6, Set.of(), SamplingSettings.GREEDY); // exactly 16 positions
            submit(scheduler, prompt(3, 1), 2, Set.of(), SamplingSettings.GREEDY);
            assertThatThrownBy(() -> scheduler.submit(prompt(2, 0), 1, Set.of(), new Collect()))
                    .isInstanceOf(BatchScheduler.QueueFullException.class);
            assertThat(scheduler.metrics().waiting()).isEqualTo(2);
            runChecked(scheduler);
            fits.check();
        }
    }

    @Test
    void closeEndsWaitingAndRunningRequestsAsCancelled() {
        BatchScheduler.Options options = new BatchScheduler.Options(1, 4, 9, 8, 64, 64);
        FakeModel[] model = new FakeModel[1];
        BatchScheduler scheduler = scheduler(options, model);
        Job a = submit(scheduler, prompt(6, 0), 20, Set.of(), SamplingSettings.GREEDY);
        Job b = submit(scheduler, prompt(6, 1), 20, Set.of(), SamplingSettings.GREEDY);
        scheduler.step();
        scheduler.close();
        assertThat(a.collect.finish).isEqualTo(BatchScheduler.Finish.CANCELLED);
        assertThat(b.collect.finish).isEqualTo(BatchScheduler.Finish.CANCELLED);
        assertThat(scheduler.freeBlocks()).isEqualTo(8);
    }
}
