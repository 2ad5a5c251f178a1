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
import ai.ensemble.engine.sampling.SamplingSettings;
import ai.ensemble.engine.tensor.TensorType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Continuous batching over the paged KV cache against batch-1 decode: every sequence of a batch
 * (different prompt lengths, sequences joining while others run, blocks handed out from a shuffled
 * free list so no sequence's blocks are contiguous) generates exactly the greedy tokens of the
 * batch-1 decode graph on the same prompt; cancellation and completion return every block; a full
 * queue rejects.
 */
@ExtendWith(RequiresGpu.class)
class BatchSchedulerTest {

    static final class Collect implements BatchScheduler.Listener {
        final List<Integer> tokens = new ArrayList<>();
        BatchScheduler.Finish finish;

        @Override
        public void token(int token) {
            tokens.add(token);
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

    private static Collect submit(BatchScheduler scheduler, int[] prompt, int maxTokens, Set<Integer> stops) {
        Collect c = new Collect();
        scheduler.submit(prompt, maxTokens, stops, c);
        return c;
    }

    private static int[] greedy(CudaForward forward, int[] prompt, int n) {
        Generator generator = new Generator(forward, () -> new TextDecoder() {
            @Override
            public String next(int token) {
                return "";
            }

            @Override
            public String flush() {
                return "";
            }
        });
        return generator.generate(prompt, GenerationParameters.of(n, SamplingSettings.GREEDY)).ids().stream()
                .mapToInt(Integer::intValue).toArray();
    }
}
