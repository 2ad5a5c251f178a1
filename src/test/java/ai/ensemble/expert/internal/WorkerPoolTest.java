package ai.ensemble.expert.internal;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.BooleanSupplier;

import ai.ensemble.engine.LocalModel;
import ai.ensemble.engine.ServiceToken;
import ai.ensemble.engine.serve.WorkerServer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The pool alone, polling a real worker every 100 ms: a worker that stops is marked down, and up again when it returns. */
class WorkerPoolTest {

    private static final ServiceToken TOKENS = ServiceToken.ofSecret("pool-test-secret-of-at-least-32-bytes!!");

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(10);
        while (!condition.getAsBoolean() && Instant.now().isBefore(deadline)) {
            Thread.sleep(20);
        }
        assertThat(condition.getAsBoolean()).as(what).isTrue();
    }

    @Test
    void marksAStoppedWorkerDownAndReprobesItUntilItIsBack() throws Exception {
        try (LocalModel model = LocalModel.open("demo", new LocalModel.Options("cpu", 4, true))) {
            WorkerServer server = WorkerServer.start(model, TOKENS, 0);
            int port = server.port();
            try (WorkerPool pool = new WorkerPool("pool-test", List.of(URI.create("http://localhost:" + port + "/")),
                    HttpClient.newHttpClient(), TOKENS, Duration.ofMillis(100))) {
                WorkerPool.Worker worker = pool.workers().getFirst();
                assertThat(pool.choose(List.of())).contains(worker);
                server.close();
                await("the stopped worker is marked down", () -> !worker.up);
                assertThat(pool.choose(List.of())).isEmpty();
                assertThat(worker.lastError).contains("load poll failed");
                server = WorkerServer.start(model, TOKENS, port);
                await("the worker is up again", () -> worker.up);
                assertThat(pool.choose(List.of())).contains(worker);
            } finally {
                server.close();
            }
        }
    }

    @Test
    void prefersTheWorkerWithLessQueuedRunningAndInFlightWork() {
        try (WorkerPool pool = new WorkerPool("pool-choice", List.of(URI.create("http://a:1/"), URI.create("http://b:1/"),
                URI.create("http://c:1/")), HttpClient.newHttpClient(), TOKENS, Duration.ofHours(1))) {
            List<WorkerPool.Worker> w = pool.workers();
            w.forEach(x -> x.up = true); // the first poll found nobody: these are stand-ins
            w.get(0).load = new WorkerPool.Load(2, 1, 0.1);
            w.get(1).load = new WorkerPool.Load(0, 1, 0.9);
            w.get(2).load = new WorkerPool.Load(0, 1, 0.2);
            for (int i = 0; i < 3; i++) {
                assertThat(pool.choose(List.of())).as("KV use breaks the tie").contains(w.get(2));
            }
            w.get(2).inFlight.set(2);
            assertThat(pool.choose(List.of())).contains(w.get(1));
            assertThat(pool.choose(List.of(w.get(1)))).contains(w.get(0));
            w.get(0).up = false;
            assertThat(pool.choose(List.of(w.get(1), w.get(2)))).isEmpty();
        }
    }
}
