package ai.ensemble.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The CPU serves one generation at a time with at most maxWaiting more waiting: one more is refused
 * at once with a BusyException (retry-after ≥ 1 s); a waiting generation can be cancelled; once the
 * running one ends, the waiting ones run in turn.
 */
class LocalModelTest {

    private static final List<LocalModel.Turn> TURNS = List.of(new LocalModel.Turn("user", "Hello"));
    private static final LocalModel.Settings GREEDY_TWO = new LocalModel.Settings(2, 0f, null, null, null, null, null);

    @Test
    void aFullWaitQueueRefusesWithRetryAfterAndWaitersRunInTurn() throws Exception {
        try (LocalModel model = LocalModel.open("demo", new LocalModel.Options("cpu", 2, true))) {
            assertThat(model.batching()).isFalse();
            assertThat(model.maxWaiting()).isEqualTo(2);
            CountDownLatch holding = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            // the running generation blocks in its cancellation check until released, then ends as cancelled
            BooleanSupplier blocking = () -> {
                holding.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return true;
            };
            List<CompletableFuture<LocalModel.Result>> all = new ArrayList<>();
            try {
                all.add(generate(model, blocking));
                assertThat(holding.await(30, TimeUnit.SECONDS)).isTrue();
                AtomicBoolean cancelSecond = new AtomicBoolean();
                CompletableFuture<LocalModel.Result> first = generate(model, () -> false);
                awaitWaiting(model, 1);
                CompletableFuture<LocalModel.Result> second = generate(model, cancelSecond::get);
                awaitWaiting(model, 2);
                all.add(first);
                all.add(second);

                assertThatThrownBy(() -> model.generate(TURNS, GREEDY_TWO, text -> { }, () -> false))
                        .isInstanceOfSatisfying(LocalModel.BusyException.class, busy -> {
                            assertThat(busy.retryAfterSeconds()).isBetween(1, 60);
                            assertThat(busy.getMessage()).contains("busy");
                        });
                assertThat(model.waitingGenerations()).isEqualTo(2);

                cancelSecond.set(true); // a waiting generation gives up its place
                assertThat(second.get(10, TimeUnit.SECONDS).finishReason()).isEqualTo("cancelled");
                assertThat(model.waitingGenerations()).isEqualTo(1);
            } finally {
                release.countDown();
            }
            assertThat(all.get(0).get(30, TimeUnit.SECONDS).finishReason()).isEqualTo("cancelled");
            LocalModel.Result result = all.get(1).get(30, TimeUnit.SECONDS);
            assertThat(result.finishReason()).isIn("stop", "length");
            assertThat(result.completionTokens()).isBetween(1, 2);
            assertThat(model.waitingGenerations()).isZero();
            // free again: runs at once
            assertThat(model.generate(TURNS, GREEDY_TWO, text -> { }, () -> false).finishReason()).isIn("stop", "length");
        }
    }

    @Test
    void noWaitingAllowedRefusesWhileOneRuns() throws Exception {
        try (LocalModel model = LocalModel.open("demo", new LocalModel.Options("cpu", 0, true))) {
            CountDownLatch holding = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<LocalModel.Result> running = generate(model, () -> {
                holding.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return true;
            });
            try {
                assertThat(holding.await(30, TimeUnit.SECONDS)).isTrue();
                assertThatThrownBy(() -> model.generate(TURNS, GREEDY_TWO, text -> { }, () -> false))
                        .isInstanceOf(LocalModel.BusyException.class);
            } finally {
                release.countDown();
            }
            assertThat(running.get(30, TimeUnit.SECONDS).finishReason()).isEqualTo("cancelled");
        }
    }

    @Test
    void optionsRefuseANegativeLimit() {
        assertThatThrownBy(() -> new LocalModel.Options("cpu", -1, true)).isInstanceOf(IllegalArgumentException.class);
        assertThat(LocalModel.Options.defaults().maxWaiting()).isEqualTo(LocalModel.Options.DEFAULT_MAX_WAITING);
    }

    private static CompletableFuture<LocalModel.Result> generate(LocalModel model, BooleanSupplier cancelled) {
        CompletableFuture<LocalModel.Result> future = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> {
            try {
                future.complete(model.generate(TURNS, GREEDY_TWO, text -> { }, cancelled));
            } catch (Throwable t) {
                future.completeExceptionally(t);
            }
        });
        return future;
    }

    static void awaitWaiting(LocalModel model, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (model.waitingGenerations() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("expected " + count + " waiting, saw " + model.waitingGenerations());
            }
            Thread.sleep(5);
        }
    }
}
