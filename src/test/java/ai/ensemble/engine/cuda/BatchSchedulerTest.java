package ai.ensemble.engine.cuda;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

import ai.ensemble.engine.demo.DemoModel;
import ai.ensemble.engine.demo.RandomWeights;
import ai.ensemble.engine.generate.GenerationParameters;
import ai.ensemble.engine.generate.Generator;
import ai.ensemble.engine.generate.TextDecoder;
import ai.ensemble.engine.model.LlamaWeights;
import ai.ensemble.engine.model.ModelConfig;
import ai.ensemble.engine.generate.GenerationResult;
import ai.ensemble.engine.sampling.SampledToken;
import ai.ensemble.engine.sampling.SamplingSettings;
import ai.ensemble.engine.tensor.TensorType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Continuous batching over the paged KV cache against batch-1 decode: every sequence of a batch
 * (different prompt lengths, sequences joining while others run, blocks handed out from a FIFO
 * free list so no sequence's blocks are contiguous) generates exactly the greedy tokens of the
 * batch-1 decode graph on the same prompt, also when a tiny KV pool forces preemptions (resumed
 * sequences recompute their cache); sampled requests (own settings and seed, sampled on the host
 * from their rows' logits) generate the tokens of batch-1 sampling with the same seed, mixed with
 * greedy ones in one batch; cancellation and completion return every block; a full queue rejects.
 * The scheduler's policy alone is tested without a GPU in {@link BatchSchedulerPolicyTest}.
 */
@ExtendWith(RequiresGpu.class)
class BatchSchedulerTest {

    static final class Collect implements BatchScheduler.Listener {
        final List<Integer> tokens = new ArrayList<>();
        final List<SampledToken> samples = new ArrayList<>();
        BatchScheduler.Finish finish;

        @Override
        public void token(int token) {
            tokens.add(token);
        }

        @Override
        public void token(int token, SampledToken sample) {
            token(token);
            samples.add(sample);
        }

        @Override
        public void finished(BatchScheduler.Finish reason) {
            finish = reason;
        }

        int[] ids() {
            return tokens.stream().mapToInt(Integer::intValue).toArray();
        }
    }

    @Test
    void batchedDecodeEqualsBatchOneDecodeWithSequencesJoiningMidway() {
        ModelConfig config = DemoModel.config();
        LlamaWeights weights = RandomWeights.create(config, TensorType.BF16, 11, 0.1f);
        int[] lengths = {1, 7, 20, 33, 50, 16, 3, 64, 17};
        int maxTokens = 24;
        Set<Integer> stops = new HashSet<>(config.eosTokens());
        try (CudaForward gpu = new CudaForward(config, weights)) {
            List<int[]> prompts = new ArrayList<>();
            List<int[]> expected = new ArrayList<>();
            for (int s = 0; s < lengths.length; s++) {
                final int seed = s;
                int[] prompt = IntStream.range(0, lengths[s]).map(i -> (i * 31 + seed * 101 + 5) % config.vocabSize()).toArray();
                prompts.add(prompt);
                expected.add(greedy(gpu, prompt, maxTokens));
            }
            // maxBatch 4: the later requests wait in the queue and join as earlier ones leave;
            // blockSize 4 so that sequences span many blocks
            try (BatchScheduler scheduler = new BatchScheduler(gpu, new BatchScheduler.Options(4, 4, 200, 16, 128))) {
                List<Collect> results = new ArrayList<>();
                for (int s = 0; s < 5; s++) {
                    results.add(submit(scheduler, prompts.get(s), maxTokens, stops));
                }
                for (int i = 0; i < 5; i++) {
                    scheduler.step();
                }
                for (int s = 5; s < prompts.size(); s++) { // join mid-way
                    results.add(submit(scheduler, prompts.get(s), maxTokens, stops));
                }
                scheduler.runUntilIdle();
                for (int s = 0; s < prompts.size(); s++) {
                    System.out.println("batched " + Arrays.toString(results.get(s).ids()) + ", batch-1 " + Arrays.toString(expected.get(s)));
                    assertThat(results.get(s).ids()).as("sequence %d (prompt of %d)", s, lengths[s]).containsExactly(expected.get(s));
                    assertThat(results.get(s).finish).isNotNull();
                }
                assertThat(scheduler.freeBlocks()).isEqualTo(199);
                System.out.println("batched decode: " + scheduler.steps() + " steps for " + prompts.size()
                        + " sequences, graphs " + scheduler.usesGraphs());
            }
        }
    }

    @Test
    void cancellationFreesBlocksAndAFullQueueRejects() {
        ModelConfig config = DemoModel.config();
        LlamaWeights weights = RandomWeights.create(config, TensorType.BF16, 12, 0.1f);
        try (CudaForward gpu = new CudaForward(config, weights);
             BatchScheduler scheduler = new BatchScheduler(gpu, new BatchScheduler.Options(2, 16, 8, 2, 64))) {
            Collect a = new Collect();
            Collect b = new Collect();
            BatchScheduler.Request ra = scheduler.submit(new int[] {1, 2, 3}, 40, Set.of(), a);
            scheduler.submit(new int[] {4, 5}, 40, Set.of(), b);
            assertThatThrownBy(() -> scheduler.submit(new int[] {6}, 4, Set.of(), new Collect()))
                    .isInstanceOf(BatchScheduler.QueueFullException.class).hasMessageContaining("full");
            scheduler.step();
            scheduler.step();
            assertThat(scheduler.freeBlocks()).isEqualTo(7 - 1 - 1); // blocks on demand: one each so far
            ra.cancel();
            Collect c = new Collect();
            scheduler.submit(new int[] {7, 8, 9, 10}, 30, Set.of(), c);
            scheduler.runUntilIdle();
            assertThat(a.finish).isEqualTo(BatchScheduler.Finish.CANCELLED);
            assertThat(a.tokens).hasSize(2);
            assertThat(b.finish).isEqualTo(BatchScheduler.Finish.LENGTH);
            assertThat(b.tokens).hasSize(40);
            assertThat(c.tokens).hasSize(30);
            assertThat(scheduler.freeBlocks()).isEqualTo(7);
        }
    }

    /**
     * 6 greedy sequences of up to 15 blocks each on a pool of 19 blocks of 4 positions: the pool
     * holds about two at full length, so sequences are preempted (youngest first) and resumed by
     * recomputing their cache, and each must still generate exactly its batch-1 greedy tokens.
     */
    @Test
    void aTinyKvPoolForcesPreemptionsAndGreedyOutputsStayExact() {
        ModelConfig config = DemoModel.config();
        LlamaWeights weights = RandomWeights.create(config, TensorType.BF16, 13, 0.1f);
        int[] lengths = {5, 12, 9, 20, 3, 16};
        int maxTokens = 40;
        Set<Integer> stops = new HashSet<>(config.eosTokens());
        try (CudaForward gpu = new CudaForward(config, weights)) {
            List<int[]> prompts = new ArrayList<>();
            List<int[]> expected = new ArrayList<>();
            for (int s = 0; s < lengths.length; s++) {
                int[] prompt = prompt(config, lengths[s], s + 20);
                prompts.add(prompt);
                expected.add(greedy(gpu, prompt, maxTokens));
            }
            try (BatchScheduler scheduler = new BatchScheduler(gpu, new BatchScheduler.Options(8, 4, 20, 16, 96))) {
                List<Collect> results = new ArrayList<>();
                List<BatchScheduler.Request> requests = new ArrayList<>();
                for (int[] prompt : prompts) {
                    Collect c = new Collect();
                    results.add(c);
                    requests.add(scheduler.submit(prompt, maxTokens, stops, c));
                }
                runChecked(scheduler);
                BatchScheduler.Metrics metrics = scheduler.metrics();
                System.out.println("tiny pool: " + metrics + ", preemptions per request "
                        + requests.stream().map(BatchScheduler.Request::preemptions).toList());
                for (int s = 0; s < prompts.size(); s++) {
                    System.out.println("batched " + Arrays.toString(results.get(s).ids()) + ", batch-1 " + Arrays.toString(expected.get(s)));
                    assertThat(results.get(s).ids()).as("sequence %d (prompt of %d, preempted %d times)", s, lengths[s],
                            requests.get(s).preemptions()).containsExactly(expected.get(s));
                    assertThat(results.get(s).finish).isIn(BatchScheduler.Finish.LENGTH, BatchScheduler.Finish.STOP);
                }
                assertThat(metrics.preemptions()).as("the pool is too small for all six").isPositive();
                assertThat(requests.get(0).preemptions()).as("the oldest is never preempted").isZero();
                assertThat(scheduler.freeBlocks()).isEqualTo(19);
                assertThat(metrics.kvBlocksInUse()).isZero();
            }
        }
    }

    /**
     * Sampled requests (temperature, top-k, top-p, min-p, penalties, top logprobs; each its own seed)
     * and greedy ones in one running batch, on a pool small enough to preempt some. Three checks per
     * sampled request, from the exact to the numerical: (1) a fresh sampler with its settings and seed,
     * replayed over the logits the scheduler sampled from (recorded by a hook), gives exactly the
     * tokens and samples the listener received, one logits row per token (plus one for a stop token),
     * so nothing is drawn twice or skipped across preemptions; (2) those logits equal the batch-1
     * forward's logits of the same sequence (teacher-forced prefill) to 1e-3 relative; (3) the tokens
     * equal batch-1 generation's (the Generator on the same forward, same settings and seed) exactly,
     * logprobs within 1e-3. (3) can only fail alone if a draw lands within the GEMM-versus-GEMV
     * rounding (~1e-5) of a boundary of the cumulative distribution, about 1e-4 over this test; if (1)
     * and (2) pass and (3) fails, that is what happened. Greedy requests give their batch-1 greedy tokens.
     */
    @Test
    void sampledAndGreedyRequestsInOneBatchEqualBatchOneGenerationWithTheSameSeed() {
        ModelConfig config = DemoModel.config();
        LlamaWeights weights = RandomWeights.create(config, TensorType.BF16, 14, 0.1f);
        int maxTokens = 32;
        Set<Integer> stops = new HashSet<>(config.eosTokens());
        List<SamplingSettings> settings = List.of(
                SamplingSettings.withTemperature(0.8f, 1L),
                SamplingSettings.GREEDY,
                SamplingSettings.withTemperature(1.0f, 2L).withTopK(40),
                SamplingSettings.withTemperature(0.7f, 3L).withTopP(0.9f).withTopLogprobs(5),
                SamplingSettings.GREEDY,
                SamplingSettings.withTemperature(1.2f, 4L).withMinP(0.05f).withPenalties(1.1f, 0.3f, 0.2f),
                SamplingSettings.GREEDY.withPenalties(1.3f, 0f, 0f).withTopLogprobs(2), // greedy after penalties: host
                SamplingSettings.withTemperature(0.9f, 5L));
        try (CudaForward gpu = new CudaForward(config, weights)) {
            List<int[]> prompts = new ArrayList<>();
            List<GenerationResult> expected = new ArrayList<>();
            for (int s = 0; s < settings.size(); s++) {
                int[] prompt = prompt(config, 4 + 6 * s, s + 40);
                prompts.add(prompt);
                expected.add(generator(gpu).generate(prompt, GenerationParameters.of(maxTokens, settings.get(s))));
            }
            // 24 blocks of 4: 8 sequences of up to 19 blocks each do not fit at once
            try (BatchScheduler scheduler = new BatchScheduler(gpu, new BatchScheduler.Options(8, 4, 25, 16, 96))) {
                java.util.Map<BatchScheduler.Request, List<float[]>> seen = new java.util.IdentityHashMap<>();
                scheduler.observeLogits((request, logits) -> seen.computeIfAbsent(request, r -> new ArrayList<>()).add(logits.clone()));
                List<Collect> results = new ArrayList<>();
                List<BatchScheduler.Request> requests = new ArrayList<>();
                for (int s = 0; s < settings.size(); s++) {
                    Collect c = new Collect();
                    results.add(c);
                    requests.add(scheduler.submit(prompts.get(s), maxTokens, stops, settings.get(s), c));
                }
                runChecked(scheduler);
                System.out.println("mixed batch: " + scheduler.metrics() + ", preemptions per request "
                        + requests.stream().map(BatchScheduler.Request::preemptions).toList());
                for (int s = 0; s < settings.size(); s++) {
                    GenerationResult want = expected.get(s);
                    Collect got = results.get(s);
                    int[] wantIds = want.ids().stream().mapToInt(Integer::intValue).toArray();
                    System.out.println(settings.get(s) + ": batched " + Arrays.toString(got.ids()) + ", batch-1 " + Arrays.toString(wantIds));
                    if (BatchScheduler.onGpu(settings.get(s))) {
                        assertThat(got.ids()).as("greedy request %d, preempted %d times", s, requests.get(s).preemptions())
                                .containsExactly(wantIds);
                        assertThat(got.samples).allMatch(java.util.Objects::isNull);
                        assertThat(seen.get(requests.get(s))).isNull();
                        continue;
                    }
                    // (1) the sampler replayed over the scheduler's own logits
                    List<float[]> rows = seen.get(requests.get(s));
                    int n = got.tokens.size();
                    assertThat(rows).as("request %d: one logits row per token, and one for a stop token", s)
                            .hasSize(got.finish == BatchScheduler.Finish.STOP ? n + 1 : n);
                    ai.ensemble.engine.sampling.Sampler replay = new ai.ensemble.engine.sampling.Sampler(settings.get(s), config.vocabSize());
                    replay.observePrompt(prompts.get(s));
                    for (int i = 0; i < rows.size(); i++) {
                        SampledToken again = replay.sample(rows.get(i));
                        if (i < n) {
                            assertThat(again).as("request %d token %d replayed", s, i).isEqualTo(got.samples.get(i));
                        } else {
                            assertThat(stops).as("request %d: the last row chose a stop token", s).contains(again.token());
                        }
                    }
                    // (2) those logits against the batch-1 forward on the same sequence
                    int[] sequence = IntStream.concat(Arrays.stream(prompts.get(s)), got.tokens.stream().mapToInt(Integer::intValue)).toArray();
                    int last = prompts.get(s).length - 1;
                    int[] positions = IntStream.range(0, rows.size()).map(i -> last + i).toArray();
                    float[][] reference = gpu.logitsAt(sequence, 0, gpu.newCache(sequence.length), positions);
                    double worst = 0;
                    for (int i = 0; i < rows.size(); i++) {
                        worst = Math.max(worst, CudaKernelsTest.error(rows.get(i), reference[i]));
                    }
                    System.out.printf("request %d: batched logits vs batch-1 prefill, worst relative error %.2e%n", s, worst);
                    assertThat(worst).as("request %d logits", s).isLessThanOrEqualTo(1e-3);
                    // (3) the tokens of batch-1 generation with the same seed
                    assertThat(got.ids()).as("request %d (%s), preempted %d times: tokens of batch-1 sampling", s, settings.get(s),
                            requests.get(s).preemptions()).containsExactly(wantIds);
                    assertThat(got.finish).isEqualTo(want.finishReason() == ai.ensemble.engine.generate.FinishReason.STOP
                            ? BatchScheduler.Finish.STOP : BatchScheduler.Finish.LENGTH);
                    for (int i = 0; i < wantIds.length; i++) {
                        SampledToken a = got.samples.get(i);
                        SampledToken b = want.tokens().get(i);
                        assertThat((double) a.logprob()).as("request %d token %d logprob", s, i).isCloseTo(b.logprob(), org.assertj.core.data.Offset.offset(1e-3));
                        assertThat(a.topLogprobs()).hasSameSizeAs(b.topLogprobs());
                        for (int k = 0; k < a.topLogprobs().size(); k++) {
                            assertThat((double) a.topLogprobs().get(k).logprob()).isCloseTo(b.topLogprobs().get(k).logprob(),
                                    org.assertj.core.data.Offset.offset(1e-3));
                        }
                    }
                }
                assertThat(scheduler.metrics().preemptions()).as("the pool is too small for all eight").isPositive();
                assertThat(scheduler.freeBlocks()).isEqualTo(24);
            }
        }
    }

    /** Steps until idle; blocks in use never exceed the pool. */
    private static void runChecked(BatchScheduler scheduler) {
        while (scheduler.step()) {
            BatchScheduler.Metrics m = scheduler.metrics();
            assertThat(m.kvBlocksInUse()).isBetween(0, m.kvBlocksTotal());
        }
    }

    private static int[] prompt(ModelConfig config, int length, int seed) {
        return IntStream.range(0, length).map(i -> (i * 37 + seed * 101 + 11) % config.vocabSize()).toArray();
    }

    private static Collect submit(BatchScheduler scheduler, int[] prompt, int maxTokens, Set<Integer> stops) {
        Collect c = new Collect();
        scheduler.submit(prompt, maxTokens, stops, c);
        return c;
    }

    private static int[] greedy(CudaForward forward, int[] prompt, int n) {
        return generator(forward).generate(prompt, GenerationParameters.of(n, SamplingSettings.GREEDY)).ids().stream()
                .mapToInt(Integer::intValue).toArray();
    }

    private static Generator generator(CudaForward forward) {
        return new Generator(forward, () -> new TextDecoder() {
            @Override
            public String next(int token) {
                return "";
            }

            @Override
            public String flush() {
                return "";
            }
        });
    }
}
