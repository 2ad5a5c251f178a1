package ai.ensemble.engine.serve;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import ai.ensemble.engine.LocalModel;
import ai.ensemble.engine.ServiceToken;
import ai.ensemble.engine.json.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The inference worker alone (no Spring): the demo model on the CPU behind {@link WorkerServer},
 * called over real HTTP with real signed service tokens.
 */
class WorkerServerTest {

    private static final String SECRET = "a-test-secret-of-at-least-32-bytes-for-hmac";
    private static final ServiceToken TOKENS = ServiceToken.ofSecret(SECRET);
    private static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    private static LocalModel model;
    private static WorkerServer server;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        model = LocalModel.open("demo", new LocalModel.Options("cpu", 4, true));
        server = WorkerServer.start(model, TOKENS, 0);
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        model.close();
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + server.port() + path);
    }

    private static String token() {
        return TOKENS.sign("req-test", Instant.now(), Duration.ofSeconds(30));
    }

    private HttpResponse<String> generate(String bearer, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri("/internal/v1/generate")).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("traceparent", TRACEPARENT);
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private Map<String, Object> load() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri("/internal/v1/load"))
                .header("Authorization", "Bearer " + token()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return Json.parseObject(response.body());
    }

    private static String chat(int maxTokens) {
        return """
                {"messages":[{"role":"user","content":"Tell me a story."}],"max_tokens":%d,"temperature":0}""".formatted(maxTokens);
    }

    /** A token signed with the right secret but with the given payload. */
    private static String forged(String payload) throws Exception {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String signed = b64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(payload.getBytes(StandardCharsets.UTF_8));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return signed + "." + b64.encodeToString(mac.doFinal(signed.getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void streamsAnAnswerForASignedTokenAndEchoesTheTraceId() throws Exception {
        HttpResponse<String> response = generate(token(), chat(8));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/x-ndjson");
        assertThat(response.headers().firstValue("X-Trace-Id")).hasValue("4bf92f3577b34da6a3ce929d0e0e4736");
        List<String> lines = response.body().lines().toList();
        assertThat(lines).hasSizeGreaterThan(1);
        StringBuilder text = new StringBuilder();
        for (String line : lines.subList(0, lines.size() - 1)) {
            text.append((String) Json.parseObject(line).get("delta"));
        }
        assertThat(text).isNotEmpty();
        Map<String, Object> end = Json.parseObject(lines.getLast());
        assertThat(end.get("finish_reason")).isIn("length", "stop");
        @SuppressWarnings("unchecked")
        Map<String, Object> usage = (Map<String, Object>) end.get("usage");
        assertThat((Long) usage.get("prompt_tokens")).isPositive();
        assertThat((Long) usage.get("completion_tokens")).isBetween(1L, 8L);
    }

    @Test
    void refusesMissingForgedExpiredAndMisaddressedTokens() throws Exception {
        long now = Instant.now().getEpochSecond();
        String otherSecret = ServiceToken.ofSecret("another-secret-of-at-least-32-bytes-long!!")
                .sign("req", Instant.now(), Duration.ofSeconds(30));
        String expired = TOKENS.sign("req", Instant.now().minusSeconds(120), Duration.ofSeconds(30));
        String wrongAudience = forged("{\"aud\":\"someone-else\",\"sub\":\"r\",\"iat\":" + now + ",\"exp\":" + (now + 30) + "}");
        String tooLong = forged("{\"aud\":\"ensemble-worker\",\"sub\":\"r\",\"iat\":" + now + ",\"exp\":" + (now + 3600) + "}");
        String tampered = token().replaceFirst("\\.[^.]+\\.", "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(("{\"aud\":\"ensemble-worker\",\"iat\":" + now + ",\"exp\":" + (now + 30) + "}").getBytes()) + ".");
        Map<String, String> refused = new java.util.LinkedHashMap<>();
        refused.put("missing", null);
        refused.put("signature", otherSecret);
        refused.put("expired", expired);
        refused.put("audience", wrongAudience);
        refused.put("lives longer", tooLong);
        refused.put("signature ", tampered);
        for (Map.Entry<String, String> case_ : refused.entrySet()) {
            HttpResponse<String> response = generate(case_.getValue(), chat(2));
            assertThat(response.statusCode()).as(case_.getKey() + ": " + response.body()).isEqualTo(401);
            assertThat(response.body()).as(case_.getKey()).contains(case_.getKey().equals("missing") ? "required" : case_.getKey().strip());
            HttpResponse<String> load = http.send(HttpRequest.newBuilder(uri("/internal/v1/load"))
                    .header("Authorization", "Bearer " + (case_.getValue() == null ? "" : case_.getValue())).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(load.statusCode()).as("load, " + case_.getKey()).isEqualTo(401);
        }
        // the orchestrator's probes and the scraper need no token
        assertThat(http.send(HttpRequest.newBuilder(uri("/health/live")).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                .isEqualTo(200);
        assertThat(http.send(HttpRequest.newBuilder(uri("/health/ready")).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                .isEqualTo(200);
    }

    @Test
    void namesTheFieldOfAMalformedBody() throws Exception {
        Map<String, String> bodies = new java.util.LinkedHashMap<>();
        bodies.put("body", "not json");
        bodies.put("messages", "{\"max_tokens\":3}");
        bodies.put("messages[0]", "{\"messages\":[{\"role\":\"user\"}]}");
        bodies.put("max_tokens", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":\"many\"}");
        bodies.put("temperature", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"temperature\":7}");
        bodies.put("stop", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stop\":[1]}");
        long before = server.requestsServed();
        for (Map.Entry<String, String> body : bodies.entrySet()) {
            HttpResponse<String> response = generate(token(), body.getValue());
            assertThat(response.statusCode()).as(body.getKey() + ": " + response.body()).isEqualTo(400);
            @SuppressWarnings("unchecked")
            Map<String, Object> error = (Map<String, Object>) Json.parseObject(response.body()).get("error");
            assertThat(error.get("param")).isEqualTo(body.getKey());
            assertThat((String) error.get("message")).isNotBlank();
        }
        assertThat(server.requestsServed()).as("nothing was generated").isEqualTo(before);
    }

    @Test
    void reportsRunningAndQueuedGenerationsAndADepartedClientCancelsItsOwn() throws Exception {
        List<HttpResponse<InputStream>> streams = new ArrayList<>();
        List<CompletableFuture<HttpResponse<InputStream>>> sent = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            sent.add(http.sendAsync(HttpRequest.newBuilder(uri("/internal/v1/generate"))
                    .header("Authorization", "Bearer " + token())
                    .POST(HttpRequest.BodyPublishers.ofString(chat(1900))).build(), HttpResponse.BodyHandlers.ofInputStream()));
        }
        Map<String, Object> busy = Map.of();
        Instant deadline = Instant.now().plusSeconds(20);
        while (Instant.now().isBefore(deadline)) {
            busy = load();
            if (((Long) busy.get("running")) == 1 && ((Long) busy.get("queued")) == 1) {
                break;
            }
            Thread.sleep(20);
        }
        assertThat(busy).as(busy.toString()).containsEntry("running", 1L).containsEntry("queued", 1L)
                .containsEntry("in_flight", 2L).containsEntry("model", "ensemble-demo-random").containsEntry("max_batch", 1L)
                .containsKeys("kv_blocks_used", "kv_blocks_total", "kv_fraction");
        String metrics = http.send(HttpRequest.newBuilder(uri("/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("ensemble_worker_queue_depth 1", "ensemble_worker_running 1",
                "# TYPE ensemble_worker_completion_tokens_total counter", "ensemble_worker_time_to_first_token_seconds_count");

        // the running one streams: its client reads a little, then goes away
        CompletableFuture.anyOf(sent.toArray(CompletableFuture[]::new)).get(20, java.util.concurrent.TimeUnit.SECONDS);
        for (CompletableFuture<HttpResponse<InputStream>> future : sent) {
            if (future.isDone()) {
                streams.add(future.get());
            }
        }
        assertThat(streams).as("the running generation has sent its status").hasSize(1);
        BufferedReader reader = new BufferedReader(new InputStreamReader(streams.getFirst().body(), StandardCharsets.UTF_8));
        assertThat(reader.readLine()).startsWith("{\"delta\":");
        streams.getFirst().body().close();
        // the queued one now runs and streams; its client leaves too
        HttpResponse<InputStream> second = sent.stream().filter(f -> !streams.contains(f.getNow(null))).findFirst().orElseThrow()
                .get();
        BufferedReader secondReader = new BufferedReader(new InputStreamReader(second.body(), StandardCharsets.UTF_8));
        assertThat(secondReader.readLine()).startsWith("{\"delta\":");
        second.body().close();

        Map<String, Object> idle = Map.of();
        deadline = Instant.now().plusSeconds(20);
        while (Instant.now().isBefore(deadline)) {
            idle = load();
            if (((Long) idle.get("in_flight")) == 0) {
                break;
            }
            Thread.sleep(50);
        }
        assertThat(idle).as("both generations were cancelled long before 1900 tokens").containsEntry("in_flight", 0L)
                .containsEntry("running", 0L).containsEntry("queued", 0L);
        assertThat(generate(token(), chat(3)).statusCode()).as("the model serves the next request").isEqualTo(200);
    }
}
