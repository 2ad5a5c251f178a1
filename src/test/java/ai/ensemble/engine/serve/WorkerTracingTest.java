package ai.ensemble.engine.serve;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import ai.ensemble.engine.LocalModel;
import ai.ensemble.engine.ServiceToken;
import ai.ensemble.engine.json.Json;
import ai.ensemble.support.OtlpCollector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The worker's own spans (no Spring): a real worker with the demo model exports to a stand-in
 * collector on the JDK's HTTP server, and what arrives is read back as OTLP JSON. A sampled
 * {@code traceparent} yields one {@code worker.generate} span under the caller's span; anything
 * else yields none; a collector that is down or silent costs generation nothing.
 */
class WorkerTracingTest {

    private static final String SECRET = "a-test-secret-of-at-least-32-bytes-for-hmac";
    private static final ServiceToken TOKENS = ServiceToken.ofSecret(SECRET);

    private static LocalModel model;
    private static OtlpCollector collector;
    private static WorkerServer server;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        model = LocalModel.open("demo", new LocalModel.Options("cpu", 4, true));
        collector = OtlpCollector.start();
        server = WorkerServer.start(model, TOKENS, 0, collector.url());
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        collector.close();
        model.close();
    }

    @Test
    void sampledGenerationIsOneServerSpanUnderTheCallersSpanWithoutPromptOrOutput() throws Exception {
        String traceId = hex(16);
        String parentId = hex(8);
        String secretWord = "zanzibarquill"; // fixed: the prompt decides how long the demo model's greedy answer is
        HttpResponse<String> response = generate(server, "00-" + traceId + "-" + parentId + "-01",
                "Tell me about " + secretWord + ".", 6);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        List<String> lines = response.body().lines().toList();
        StringBuilder output = new StringBuilder();
        lines.subList(0, lines.size() - 1).forEach(line -> output.append((String) Json.parseObject(line).get("delta")));
        Map<String, Object> end = Json.parseObject(lines.getLast());
        @SuppressWarnings("unchecked")
        Map<String, Object> usage = (Map<String, Object>) end.get("usage");

        List<OtlpCollector.ReceivedSpan> spans = collector.awaitTrace(traceId, Duration.ofSeconds(10));
        Thread.sleep(OtlpExporter.INTERVAL.toMillis() + 300); // a second span would have come by now
        spans = collector.spans().stream().filter(s -> s.traceId().equals(traceId)).toList();
        assertThat(spans).hasSize(1);
        OtlpCollector.ReceivedSpan received = spans.getFirst();
        Map<String, Object> span = received.span();
        assertThat(received.resource()).containsEntry("service.name", "ensemble-worker").containsKey("service.instance.id");
        assertThat(span).containsEntry("name", "worker.generate").containsEntry("kind", 2L).containsEntry("parentSpanId", parentId);
        assertThat((String) span.get("spanId")).matches("[0-9a-f]{16}").isNotEqualTo(parentId);
        long start = Long.parseLong((String) span.get("startTimeUnixNano"));
        long finish = Long.parseLong((String) span.get("endTimeUnixNano"));
        long now = Instant.now().getEpochSecond() * 1_000_000_000L;
        assertThat(start).isBetween(now - 60_000_000_000L, finish);
        assertThat(finish).isLessThanOrEqualTo(now + 2_000_000_000L);
        assertThat(received.attributes()).containsEntry("gen_ai.request.model", model.name())
                .containsEntry("ensemble.engine.backend", "cpu")
                .containsEntry("gen_ai.usage.input_tokens", String.valueOf(usage.get("prompt_tokens")))
                .containsEntry("gen_ai.usage.output_tokens", String.valueOf(usage.get("completion_tokens")))
                .containsEntry("gen_ai.response.finish_reasons", end.get("finish_reason"))
                .containsEntry("ensemble.request.id", "req-tracing")
                .containsKey("ensemble.time_to_first_token_ms");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> events = (List<Map<String, Object>>) span.get("events");
        assertThat(events).singleElement().satisfies(event -> {
            assertThat(event).containsEntry("name", "first-token");
            assertThat(Long.parseLong((String) event.get("timeUnixNano"))).isBetween(start, finish);
        });
        assertThat(span.get("status")).isEqualTo(Map.of());

        String body = collector.exports().stream().filter(e -> e.body().contains(traceId)).findFirst().orElseThrow().body();
        assertThat(body).doesNotContain(secretWord).doesNotContain("Tell me about");
        assertThat(output.toString()).hasSizeGreaterThan(3);
        assertThat(body).doesNotContain(output.toString().strip());
        assertThat(collector.exports()).allSatisfy(export -> {
            assertThat(export.path()).isEqualTo("/v1/traces");
            assertThat(export.contentType()).isEqualTo("application/json");
        });
    }

    @Test
    void unsampledOrMalformedTraceparentsExportNothingAndStillGenerate() throws Exception {
        String unsampled = hex(16);
        String upperCase = hex(16);
        String zeroParent = hex(16);
        String badVersion = hex(16);
        String shortParent = hex(16);
        List<String> headers = List.of("00-" + unsampled + "-" + hex(8) + "-00", "00-" + upperCase.toUpperCase() + "-" + hex(8) + "-01",
                "00-" + zeroParent + "-0000000000000000-01", "ff-" + badVersion + "-" + hex(8) + "-01",
                "00-" + shortParent + "-" + hex(7) + "-01", "not a traceparent", "00-" + "0".repeat(32) + "-" + hex(8) + "-01");
        for (String header : headers) {
            HttpResponse<String> response = generate(server, header, "Hello.", 2);
            assertThat(response.statusCode()).as(header + ": " + response.body()).isEqualTo(200);
            assertThat(response.body()).as(header).contains("finish_reason");
        }
        // Spans leave in order: once a later sampled request's span has arrived, any of the above would have too.
        String marker = hex(16);
        assertThat(generate(server, "00-" + marker + "-" + hex(8) + "-01", "Hello.", 2).statusCode()).isEqualTo(200);
        assertThat(collector.awaitTrace(marker, Duration.ofSeconds(10))).hasSize(1);
        assertThat(collector.spans()).extracting(OtlpCollector.ReceivedSpan::traceId)
                .doesNotContain(unsampled, upperCase, upperCase.toUpperCase(), zeroParent, badVersion, shortParent, "0".repeat(32));
    }

    @Test
    void aCollectorThatIsDownOrSilentNeitherSlowsNorFailsGeneration() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        try (OtlpCollector silent = OtlpCollector.hanging();
             WorkerServer down = WorkerServer.start(model, TOKENS, 0, "http://localhost:" + closedPort);
             WorkerServer hanging = WorkerServer.start(model, TOKENS, 0, silent.url())) {
            for (WorkerServer worker : List.of(down, hanging)) {
                for (int i = 0; i < 4; i++) {
                    long started = System.nanoTime();
                    HttpResponse<String> response = generate(worker, "00-" + hex(16) + "-" + hex(8) + "-01", "Hello.", 2);
                    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                    assertThat(response.body()).contains("finish_reason").doesNotContain("error");
                    // the exporter's timeout is 5 s: a request that waited on the collector would take that long
                    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
                    Thread.sleep(400); // spread over more than one export interval
                }
            }
            // the lost spans are counted where the worker's scraper sees them
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (spansLost(down) < 4 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(spansLost(down)).isEqualTo(4);
        }
    }

    @Test
    void aFullQueueDropsAndCountsSpansWithoutWaiting() throws Exception {
        try (OtlpCollector silent = OtlpCollector.hanging();
             OtlpExporter exporter = new OtlpExporter(OtlpExporter.tracesUrl(silent.url()), "test")) {
            int spans = OtlpExporter.CAPACITY * 3;
            long started = System.nanoTime();
            for (int i = 0; i < spans; i++) {
                exporter.export(new WorkerSpan.Finished(hex(16), hex(8), hex(8), "worker.generate", 1, 2, Map.of(), List.of(), null));
            }
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));
            // at most the queue and one batch in flight are held; everything else is dropped and counted
            assertThat(exporter.dropped()).isBetween((long) spans - OtlpExporter.CAPACITY - OtlpExporter.BATCH, (long) spans);
        }
    }

    @Test
    void readsTheCollectorEndpointFromTheEnvironment() {
        Map<String, String> env = Map.of("ENSEMBLE_WORKER_TOKEN_SECRET", SECRET);
        assertThat(WorkerSettings.fromEnvironment(env).otlpEndpoint()).isNull();
        assertThat(WorkerSettings.fromEnvironment(with(env, "http://otel-collector:4318")).otlpEndpoint())
                .isEqualTo(URI.create("http://otel-collector:4318/v1/traces"));
        assertThat(WorkerSettings.fromEnvironment(with(env, "http://otel-collector.monitoring:4318/v1/traces")).otlpEndpoint())
                .isEqualTo(URI.create("http://otel-collector.monitoring:4318/v1/traces"));
        assertThat(WorkerSettings.fromEnvironment(with(env, "https://collector/otlp/")).otlpEndpoint())
                .isEqualTo(URI.create("https://collector/otlp/v1/traces"));
        for (String bad : List.of("otel-collector:4318", "ftp://collector", "http://", "http://bad host")) {
            assertThatThrownBy(() -> WorkerSettings.fromEnvironment(with(env, bad))).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ENSEMBLE_WORKER_OTLP_ENDPOINT");
        }
    }

    @Test
    void readsOnlyWellFormedTraceparents() {
        assertThat(TraceParent.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"))
                .isEqualTo(new TraceParent("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", true));
        assertThat(TraceParent.parse(" 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00 ").sampled()).isFalse();
        assertThat(TraceParent.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03").sampled()).isTrue();
        // a later version may carry more fields after the known ones
        assertThat(TraceParent.parse("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-abc")).isNotNull();
        for (String bad : List.of("", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
                "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b-01",
                "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g",
                "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x")) {
            assertThat(TraceParent.parse(bad)).as(bad).isNull();
        }
        assertThat(TraceParent.parse(null)).isNull();
    }

    private HttpResponse<String> generate(WorkerServer worker, String traceparent, String prompt, int maxTokens) throws Exception {
        String body = """
                {"messages":[{"role":"user","content":%s}],"max_tokens":%d,"temperature":0}""".formatted(JsonText.quote(prompt), maxTokens);
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + worker.port() + "/internal/v1/generate"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("traceparent", traceparent)
                .header("Authorization", "Bearer " + TOKENS.sign("req-tracing", Instant.now(), Duration.ofSeconds(30))).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private long spansLost(WorkerServer worker) throws Exception {
        String metrics = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + worker.port() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return metrics.lines().filter(line -> line.startsWith("ensemble_worker_spans_lost_total "))
                .mapToLong(line -> Long.parseLong(line.substring(line.indexOf(' ') + 1))).findFirst().orElseThrow();
    }

    private static Map<String, String> with(Map<String, String> env, String endpoint) {
        Map<String, String> copy = new java.util.HashMap<>(env);
        copy.put("ENSEMBLE_WORKER_OTLP_ENDPOINT", endpoint);
        return copy;
    }

    private static String hex(int bytes) {
        byte[] random = new byte[bytes];
        ThreadLocalRandom.current().nextBytes(random);
        random[0] |= 1; // never all zeros
        return HexFormat.of().formatHex(random);
    }
}
