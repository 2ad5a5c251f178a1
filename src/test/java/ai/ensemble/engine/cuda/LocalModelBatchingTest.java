package ai.ensemble.engine.cuda;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import ai.ensemble.engine.LocalModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * LocalModel on the GPU serves every request through its batch scheduler: 8 greedy and 4 seeded
 * sampled requests (different prompts, lengths and sampling settings), all concurrent, each get
 * exactly the text and token count of sequential batch-1 generation (the same model opened with
 * batching off, the same seeds); a cancelled request ends as cancelled.
 */
@ExtendWith(RequiresGpu.class)
class LocalModelBatchingTest {

    private static final int REQUESTS = 8;
    private static final int SAMPLED = 4;

    private static List<LocalModel.Turn> conversation(int i) {
        return List.of(new LocalModel.Turn("system", "You are terse."),
                new LocalModel.Turn("user", "Question " + i + ": " + "tell me more ".repeat(i * 3 + 1)));
    }

    private static LocalModel.Settings greedy(int i) {
        return new LocalModel.Settings(16 + 5 * i, 0f, null, null, null, null, null);
    }

    /** Request i: greedy for i < 8, then seeded sampling (temperature, top-p, penalties). */
    private static LocalModel.Settings settings(int i) {
        return switch (i - REQUESTS) {
            case 0 -> new LocalModel.Settings(24, 0.8f, null, 7L, null, null, null);
            case 1 -> new LocalModel.Settings(30, null, 0.9f, 11L, null, null, null); // temperature 1 by default
            case 2 -> new LocalModel.Settings(20, 1.1f, null, 12L, 0.5f, 0.3f, null);
            case 3 -> new LocalModel.Settings(28, 0.6f, 0.95f, 13L, null, null, null);
            default -> greedy(i);
        };
    }

    @Test
    void concurrentGreedyRequestsAnswerExactlyAsSequentialBatchOne() throws Exception {
        List<LocalModel.Result> expected = new ArrayList<>();
        try (LocalModel single = LocalModel.open("demo-bf16:3", new LocalModel.Options("cuda", 16, false))) {
            assertThat(single.backend()).isEqualTo("cuda");
            assertThat(single.batching()).isFalse();
            for (int i = 0; i < REQUESTS + SAMPLED; i++) {
                expected.add(single.generate(conversation(i), settings(i), text -> { }, () -> false));
            }
        }
        try (LocalModel batched = LocalModel.open("demo-bf16:3", new LocalModel.Options("cuda", 16, true))) {
            assertThat(batched.batching()).isTrue();
            CountDownLatch start = new CountDownLatch(1);
            List<CompletableFuture<LocalModel.Result>> futures = new ArrayList<>();
            List<StringBuilder> streamed = new ArrayList<>();
            for (int i = 0; i < REQUESTS + SAMPLED; i++) {
                final int n = i;
                StringBuilder text = new StringBuilder();
                streamed.add(text);
                CompletableFuture<LocalModel.Result> future = new CompletableFuture<>();
                futures.add(future);
                Thread.ofPlatform().daemon().start(() -> {
                    try {
                        start.await();
                        future.complete(batched.generate(conversation(n), settings(n), text::append, () -> false));
                    } catch (Throwable t) {
                        future.completeExceptionally(t);
                    }
                });
            }
            start.countDown();
            for (int i = 0; i < REQUESTS + SAMPLED; i++) {
                LocalModel.Result got = futures.get(i).get(120, TimeUnit.SECONDS);
                LocalModel.Result want = expected.get(i);
                assertThat(got.text()).as("request %d text", i).isEqualTo(want.text());
                assertThat(got.completionTokens()).as("request %d tokens", i).isEqualTo(want.completionTokens());
                assertThat(got.promptTokens()).isEqualTo(want.promptTokens());
                assertThat(got.finishReason()).as("request %d finish", i).isEqualTo(want.finishReason());
                assertThat(streamed.get(i).toString()).as("request %d streamed", i).isEqualTo(want.text());
            }

            assertThat(batched.waitingGenerations()).isZero(); // nobody took the batch-1 path
            LocalModel.ServingMetrics metrics = batched.batchMetrics().orElseThrow();
            System.out.println("LocalModel batching: " + metrics);
            assertThat(metrics.steps()).isPositive();
            assertThat(metrics.kvBlocksInUse()).isZero();
            assertThat(metrics.running()).isZero();

            // cancellation through the registered action ends the batched request
            Runnable[] cancel = new Runnable[1];
            boolean[] flag = {false};
            LocalModel.Result cancelled = batched.generate(conversation(2), new LocalModel.Settings(1000, 0f, null, null, null, null, null),
                    text -> {
                        flag[0] = true;
                        cancel[0].run();
                    }, () -> false, action -> cancel[0] = action);
            assertThat(cancelled.completionTokens()).isLessThan(1000);
            if (flag[0]) { // the random model may end its answer (EOS) before any text
                assertThat(cancelled.finishReason()).isIn("cancelled", "stop");
            }
        }
    }
}
