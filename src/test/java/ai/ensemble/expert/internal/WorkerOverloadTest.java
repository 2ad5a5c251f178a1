package ai.ensemble.expert.internal;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import ai.ensemble.engine.LocalModel;
import ai.ensemble.engine.ServiceToken;
import ai.ensemble.engine.serve.WorkerServer;
import ai.ensemble.expert.Cancellation;
import ai.ensemble.expert.ChatMessage;
import ai.ensemble.expert.Completion;
import ai.ensemble.expert.ExpertDefinition;
import ai.ensemble.expert.ExpertRequest;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A worker that answers 503 overloaded before the first token is passed over for the next one, and the retry is counted. */
class WorkerOverloadTest {

    private static final ServiceToken TOKENS = ServiceToken.ofSecret("overload-test-secret-of-at-least-32-bytes");

    @Test
    void anOverloadedWorkerIsPassedOverBeforeTheFirstToken() throws Exception {
        // no waiting room: while one generation runs, the next request is refused at once
        try (LocalModel busyModel = LocalModel.open("demo", new LocalModel.Options("cpu", 0, true));
             LocalModel idleModel = LocalModel.open("demo", new LocalModel.Options("cpu", 0, true));
             WorkerServer busy = WorkerServer.start(busyModel, TOKENS, 0);
             WorkerServer idle = WorkerServer.start(idleModel, TOKENS, 0)) {
            HttpClient http = HttpClient.newHttpClient();
            WorkerPool pool = new WorkerPool("overload", List.of(URI.create("http://localhost:" + busy.port() + "/"),
                    URI.create("http://localhost:" + idle.port() + "/")), http, TOKENS, Duration.ofHours(1));
            // the pool's one poll saw both idle; the busy worker's load comes after it, unseen
            Instant deadline = Instant.now().plusSeconds(10);
            while (pool.workers().stream().anyMatch(w -> w.load == WorkerPool.Load.UNKNOWN) && Instant.now().isBefore(deadline)) {
                Thread.sleep(10);
            }
            assertThat(pool.workers()).noneMatch(w -> w.load == WorkerPool.Load.UNKNOWN);
            HttpResponse<InputStream> occupying = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + busy.port()
                            + "/internal/v1/generate")).header("Authorization", "Bearer " + TOKENS.sign("o", Instant.now(), Duration.ofSeconds(30)))
                    .POST(HttpRequest.BodyPublishers.ofString("""
                            {"messages":[{"role":"user","content":"A long story."}],"max_tokens":1900,"temperature":0}""")).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertThat(occupying.statusCode()).isEqualTo(200);

            Counter retries = new SimpleMeterRegistry().counter("retries");
            ExpertDefinition definition = new ExpertDefinition("overload", null, "", "worker", "unused", null, null,
                    Duration.ofSeconds(5), Duration.ofSeconds(20), Duration.ofSeconds(60), 0, 2048);
            try (WorkerExpert expert = new WorkerExpert(definition, pool, http, TOKENS, Map::of, retries)) {
                // ties go round the pool from its first worker: the busy one is tried first
                Completion completion = expert.generate(new ExpertRequest(List.of(new ChatMessage("user", "hello")), 0.0, null, 3,
                        null, null, null, null, null), text -> { }, new Cancellation());
                assertThat(completion.usage().completionTokens()).isBetween(1, 3);
            } finally {
                occupying.body().close();
            }
            assertThat(retries.count()).isEqualTo(1.0);
            assertThat(idle.requestsServed()).isEqualTo(1);
            assertThat(pool.workers().getFirst().up).as("overloaded is not down").isTrue();
        }
    }
}
