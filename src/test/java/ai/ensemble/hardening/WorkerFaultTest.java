package ai.ensemble.hardening;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import ai.ensemble.support.InferenceWorkers;
import ai.ensemble.support.WorkerGatewayTest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An inference worker dies (issue 11): mid-stream, its client gets a clean error event (no
 * {@code [DONE]}), the audit record says so, and the next requests go to the survivor; with every
 * worker gone, requests get a 503 that says why.
 */
class WorkerFaultTest extends WorkerGatewayTest {

    @Test
    void aWorkerKilledMidStreamEndsTheStreamWithAnErrorAndTheSurvivorTakesTheNextRequests() throws Exception {
        // 5 ms a token: the 1,900-token answer takes ~10 s, so the kill lands mid-stream on any machine
        // (the demo model alone generates it in a fraction of a second on a quiet one)
        try (InferenceWorkers pair = new InferenceWorkers(2, null, java.time.Duration.ofMillis(5))) {
            workerExpert("wk-kill", pair.baseUrl());
            HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(uri("/v1/chat/completions"))
                    .header("Authorization", "Bearer " + DEMO_KEY).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(chat("wk-kill", 1900, true))).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertThat(response.statusCode()).isEqualTo(200);
            String requestId = response.headers().firstValue("X-Request-Id").orElseThrow();
            BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
            List<String> events = new ArrayList<>();
            for (String line; events.size() < 3 && (line = reader.readLine()) != null; ) {
                if (line.startsWith("data: ")) {
                    events.add(line.substring(6));
                }
            }
            assertThat(events).as("the answer started").hasSize(3);
            // the worker counts the request from its first byte read to its last byte written: wait for it to show
            java.time.Instant until = java.time.Instant.now().plusSeconds(5);
            while (pair.get(0).inFlight() + pair.get(1).inFlight() == 0 && java.time.Instant.now().isBefore(until)) {
                pause(10);
            }
            int serving = pair.get(0).inFlight() == 1 ? 0 : 1;
            if (pair.get(serving).inFlight() != 1) { // say what the answer was, for a diagnosis
                for (String line; (line = reader.readLine()) != null; ) {
                    events.add(line);
                }
            }
            assertThat(pair.get(serving).inFlight()).as("the worker serving the answer; events: %s", events).isEqualTo(1);
            pair.kill(serving);

            for (String line; (line = reader.readLine()) != null; ) {
                if (line.startsWith("data: ")) {
                    events.add(line.substring(6));
                }
            }
            assertThat(events).doesNotContain("[DONE]");
            JsonNode error = JSON.readTree(events.getLast());
            assertThat(error.at("/error/message").asString()).contains("broke off mid-answer");

            JsonNode outcome = outcome(requestId);
            assertThat(outcome.get("status").asInt()).isEqualTo(502);
            assertThat(outcome.at("/body/error").asString()).contains("broke off mid-answer");
            assertThat(outcome.at("/body/output").asString()).as("what the client was sent").isNotEmpty();

            int survivor = 1 - serving;
            long before = pair.get(survivor).requestsServed();
            double retriesBefore = retries("wk-kill");
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> next = post("/v1/chat/completions", DEMO_KEY, chat("wk-kill", 3, false));
                assertThat(next.statusCode()).as(next.body()).isEqualTo(200);
            }
            assertThat(pair.get(survivor).requestsServed() - before).isEqualTo(3);
            assertThat(retries("wk-kill")).as("the dead worker is known to be down, not retried").isEqualTo(retriesBefore);
        }
    }

    @Test
    void withEveryWorkerGoneRequestsGetA503ThatSaysWhy() throws Exception {
        InferenceWorkers pair = new InferenceWorkers(2);
        try {
            workerExpert("wk-none", pair.baseUrl());
            pair.kill(0);
            pair.kill(1);
            for (boolean stream : new boolean[] {false, true}) {
                HttpResponse<String> response = post("/v1/chat/completions", DEMO_KEY, chat("wk-none", 3, stream));
                assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
                String message = json(response).at("/error/message").asString();
                assertThat(message).contains("wk-none", "no inference worker could answer", pair.url(0).substring(7),
                        pair.url(1).substring(7));
                JsonNode outcome = outcome(response.headers().firstValue("X-Request-Id").orElseThrow());
                assertThat(outcome.get("status").asInt()).isEqualTo(503);
                assertThat(outcome.at("/body/error").asString()).contains("no inference worker could answer");
            }
            assertThat(probe("wk-none").get("healthy").asBoolean()).isFalse();
        } finally {
            pair.close();
        }
    }
}
