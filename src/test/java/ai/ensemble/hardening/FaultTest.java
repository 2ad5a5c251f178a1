package ai.ensemble.hardening;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

import ai.ensemble.support.GatewayTest;
import com.github.tomakehurst.wiremock.http.Fault;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Faults around a request in flight: the client goes away mid-stream (generation is cancelled, the
 * engine's queue empties, the audit record says 499 with what was sent), the upstream drops the
 * connection after the first token (a clean error event, no [DONE], audited), and the audit store
 * comes back after failing (the gateway answers again by itself).
 */
class FaultTest extends GatewayTest {

    @Test
    void aClientThatLeavesMidStreamCancelsTheGenerationAndTheAuditSaysSo() throws Exception {
        // A prompt whose greedy answer runs to the end of the demo model's context (~2,000 tokens, over a
        // second even on a quiet machine; "Tell me a long story." stops after 417, which a fast run
        // finished before the client could leave).
        String body = """
                {"model":"%s","stream":true,"max_tokens":4000,"temperature":0,"messages":[{"role":"user","content":"Tell me a long story about a lighthouse."}]}"""
                .formatted(ENGINE_EXPERT);
        HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(uri("/v1/chat/completions"))
                .header("Authorization", "Bearer " + DEMO_KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        String requestId = response.headers().firstValue("X-Request-Id").orElseThrow();
        BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
        int events = 0;
        for (String line; events < 3 && (line = reader.readLine()) != null; ) {
            if (line.startsWith("data: ")) {
                events++;
            }
        }
        assertThat(events).as("the stream started").isEqualTo(3);
        response.body().close(); // the client goes away

        JsonNode outcome = outcome(requestId);
        assertThat(outcome.get("status").asInt()).as(outcome.toString()).isEqualTo(499);
        assertThat(outcome.at("/body/error").asString()).isNotBlank();
        // nothing keeps generating for the departed client: the engine's queue is empty again
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        String metric = "";
        while (Instant.now().isBefore(deadline)) {
            metric = get("/actuator/prometheus", null).body().lines()
                    .filter(line -> line.startsWith("ensemble_engine_waiting{expert=\"" + ENGINE_EXPERT + "\"}")).findFirst().orElse("");
            if (metric.endsWith(" 0.0")) {
                break;
            }
            sleep(100);
        }
        assertThat(metric).endsWith(" 0.0");
        HttpResponse<String> next = post("/v1/chat/completions", DEMO_KEY, """
                {"model":"%s","max_tokens":3,"messages":[{"role":"user","content":"hi"}]}""".formatted(ENGINE_EXPERT));
        assertThat(next.statusCode()).as("the engine serves the next request").isEqualTo(200);
    }

    @Test
    void anUpstreamThatDropsTheConnectionAfterTheFirstTokenEndsTheStreamWithAnErrorEvent() {
        UPSTREAM.resetAll();
        UPSTREAM.stubFor(com.github.tomakehurst.wiremock.client.WireMock.post(urlEqualTo("/v1/chat/completions")).willReturn(aResponse()
                .withHeader("Content-Type", "text/event-stream")
                .withChunkedDribbleDelay(4, 400)
                .withBody("""
                        data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":"Half"},"finish_reason":null}]}

                        """.repeat(3))
                .withFault(Fault.RANDOM_DATA_THEN_CLOSE)));
        HttpResponse<String> response = post("/v1/chat/completions", DEMO_KEY, """
                {"model":"%s","stream":true,"messages":[{"role":"user","content":"hello"}]}""".formatted(UPSTREAM_EXPERT));
        String requestId = response.headers().firstValue("X-Request-Id").orElseThrow();
        JsonNode outcome = outcome(requestId);
        if (response.statusCode() == 200) {
            assertThat(response.body()).doesNotContain("[DONE]").contains("\"error\"");
        } else {
            assertThat(response.statusCode()).as(response.body()).isIn(502, 503);
        }
        assertThat(outcome.get("status").asInt()).isIn(502, 503);
        UPSTREAM.resetAll();
    }

    @Test
    void whenTheAuditStoreReturnsTheGatewayAnswersAgainByItself() {
        superuser().sql("alter table audit_event rename to audit_event_away").update();
        try {
            HttpResponse<String> refused = post("/v1/chat/completions", DEMO_KEY, chatBody(ECHO_EXPERT, "while the log is away"));
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(json(refused).at("/error/code").asString()).isEqualTo("audit_unavailable");
        } finally {
            superuser().sql("alter table audit_event_away rename to audit_event").update();
        }
        HttpResponse<String> answered = null;
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (Instant.now().isBefore(deadline)) {
            answered = post("/v1/chat/completions", DEMO_KEY, chatBody(ECHO_EXPERT, "the log is back"));
            if (answered.statusCode() == 200) {
                break;
            }
            sleep(250);
        }
        assertThat(answered.statusCode()).as(answered.body()).isEqualTo(200);
        String requestId = answered.headers().firstValue("X-Request-Id").orElseThrow();
        assertThat(jdbc.sql("select count(*) from audit_event where request_id = ?").params(requestId).query(Long.class).single())
                .isEqualTo(2);
        assertThat(get("/admin/api/audit/verify", devToken("demo-auditor")).statusCode()).isEqualTo(200);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
