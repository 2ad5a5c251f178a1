package ai.ensemble.expert;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import ai.ensemble.support.InferenceWorkers;
import ai.ensemble.support.WorkerGatewayTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway over a pool of real inference workers ({@code type: worker}): answers stream through
 * with their audit records, the least-loaded worker is chosen, and a worker that is gone before a
 * request is passed over for another (and counted as a retry).
 */
class WorkerExpertTest extends WorkerGatewayTest {

    private static InferenceWorkers workers;

    @BeforeAll
    static void startWorkers() throws Exception {
        workers = new InferenceWorkers(2);
    }

    @AfterAll
    static void stopWorkers() throws Exception {
        workers.close();
    }

    @Test
    void streamsAnAnswerFromAWorkerAndAuditsIt() {
        workerExpert("wk-stream", workers.baseUrl());
        HttpResponse<String> response = post("/v1/chat/completions", DEMO_KEY, chat("wk-stream", 6, true));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        List<String> events = response.body().lines().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6)).toList();
        assertThat(events.getLast()).isEqualTo("[DONE]");
        StringBuilder text = new StringBuilder();
        for (String event : events.subList(0, events.size() - 1)) {
            JsonNode chunk = JSON.readTree(event);
            assertThat(chunk.get("model").asString()).isEqualTo("wk-stream");
            text.append(chunk.at("/choices/0/delta/content").asString(""));
        }
        assertThat(text).isNotEmpty();
        JsonNode outcome = outcome(response.headers().firstValue("X-Request-Id").orElseThrow());
        assertThat(outcome.get("status").asInt()).isEqualTo(200);
        assertThat(outcome.at("/body/output").asString()).isEqualTo(text.toString());
        assertThat(outcome.at("/body/completion_tokens").asInt()).isBetween(1, 6);

        HttpResponse<String> whole = post("/v1/chat/completions", DEMO_KEY, chat("wk-stream", 4, false));
        assertThat(whole.statusCode()).as(whole.body()).isEqualTo(200);
        assertThat(json(whole).at("/choices/0/message/content").asString()).isNotEmpty();
        assertThat(json(whole).at("/usage/completion_tokens").asInt()).isBetween(1, 4);
        assertThat(json(get("/v1/models", DEMO_KEY)).get("data").findValuesAsString("id")).contains("wk-stream");
    }

    @Test
    void avoidsAWorkerWithQueuedWork() throws Exception {
        workerExpert("wk-load", workers.baseUrl());
        // worker 0 gets two long generations from elsewhere: one runs, one waits
        List<HttpResponse<InputStream>> busy = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int i = 0; i < 2; i++) {
            var future = http.sendAsync(HttpRequest.newBuilder(URI.create(workers.url(0) + "/internal/v1/generate"))
                    .header("Authorization", "Bearer " + InferenceWorkers.TOKENS.sign("elsewhere", Instant.now(), Duration.ofSeconds(30)))
                    .POST(HttpRequest.BodyPublishers.ofString("""
                            {"messages":[{"role":"user","content":"A long story."}],"max_tokens":1900,"temperature":0}""")).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            if (i == 0) {
                busy.add(future.get()); // the first one runs (and streams) before the second is sent
            } else {
                future.thenAccept(busy::add);
            }
        }
        Instant deadline = Instant.now().plusSeconds(20);
        while (workers.get(0).inFlight() < 2 && Instant.now().isBefore(deadline)) {
            pause(20);
        }
        assertThat(workers.get(0).inFlight()).isEqualTo(2);
        probe("wk-load");
        long before0 = workers.get(0).requestsServed();
        long before1 = workers.get(1).requestsServed();
        try {
            for (int i = 0; i < 4; i++) {
                HttpResponse<String> response = post("/v1/chat/completions", DEMO_KEY, chat("wk-load", 3, false));
                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            }
            assertThat(workers.get(1).requestsServed() - before1).as("every request went to the idle worker").isEqualTo(4);
            assertThat(workers.get(0).requestsServed() - before0).isZero();
        } finally {
            for (HttpResponse<InputStream> response : busy) {
                response.body().close();
            }
        }
        deadline = Instant.now().plusSeconds(20);
        while (workers.get(0).inFlight() > 0 && Instant.now().isBefore(deadline)) {
            // a departed client is noticed at its next token; the waiting one when it gets its turn
            pause(50);
        }
        assertThat(workers.get(0).inFlight()).isZero();
    }

    @Test
    void passesOverAWorkerThatIsGoneBeforeTheRequestAndCountsTheRetry() throws Exception {
        try (InferenceWorkers pair = new InferenceWorkers(2)) {
            workerExpert("wk-gone", pair.baseUrl());
            probe("wk-gone");
            pair.kill(0);
            double retriesBefore = retries("wk-gone");
            // ties go round the pool, so one of two requests tries the gone worker first; neither sees it
            for (int i = 0; i < 2; i++) {
                HttpResponse<String> response = post("/v1/chat/completions", DEMO_KEY, chat("wk-gone", 3, true));
                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                assertThat(response.body()).contains("[DONE]").doesNotContain("\"error\"");
                JsonNode outcome = outcome(response.headers().firstValue("X-Request-Id").orElseThrow());
                assertThat(outcome.get("status").asInt()).isEqualTo(200);
            }
            assertThat(pair.get(1).requestsServed()).isEqualTo(2);
            assertThat(retries("wk-gone") - retriesBefore).as("one request was passed on").isEqualTo(1.0);
            // the gone worker is now known to be down: no more retries
            assertThat(post("/v1/chat/completions", DEMO_KEY, chat("wk-gone", 3, false)).statusCode()).isEqualTo(200);
            assertThat(retries("wk-gone") - retriesBefore).isEqualTo(1.0);
            String metrics = get("/actuator/prometheus", null).body();
            assertThat(metrics).contains("ensemble_worker_up{expert=\"wk-gone\",worker=\"" + URI.create(pair.url(0)).getAuthority()
                    + "\"} 0.0");
        }
    }

    @Test
    void refusesAWorkerExpertWithoutUsableWorkerUrls() {
        HttpResponse<String> response = post("/admin/api/experts", admin(), """
                {"id":"wk-bad","type":"worker","baseUrl":"http://a:8080/v1, ftp://b"}""");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(json(response).at("/error/param").asString()).isEqualTo("baseUrl");
        assertThat(get("/admin/api/experts/wk-bad", admin()).statusCode()).isEqualTo(404);
    }
}
