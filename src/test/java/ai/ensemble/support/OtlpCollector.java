package ai.ensemble.support;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;

import ai.ensemble.engine.json.Json;
import com.sun.net.httpserver.HttpServer;

/**
 * A stand-in OpenTelemetry collector on the JDK's HTTP server (a free port): it keeps every
 * OTLP/HTTP JSON export POSTed to {@code /v1/traces} and answers 200, or, when built
 * {@link #hanging()}, holds every request without answering (a collector that accepts connections
 * but never replies), the worst case for a caller that waited on it.
 */
public final class OtlpCollector implements AutoCloseable {

    /** One POST as it arrived. */
    public record Export(String path, String contentType, String body) {
    }

    /** One span with the resource attributes of its export. */
    public record ReceivedSpan(Map<String, String> resource, Map<String, Object> span) {

        public String traceId() {
            return (String) span.get("traceId");
        }

        /** The span's attributes as key → the JSON value's single field ({@code stringValue}, {@code intValue}). */
        public Map<String, Object> attributes() {
            return OtlpCollector.attributes(span.get("attributes"));
        }
    }

    private final HttpServer server;
    private final List<Export> exports = new CopyOnWriteArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);

    private OtlpCollector(boolean hang) throws IOException {
        server = HttpServer.create(new InetSocketAddress("localhost", 0), 16);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", exchange -> {
            try (exchange; InputStream in = exchange.getRequestBody()) {
                String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                if (hang) {
                    release.await();
                    return;
                }
                exports.add(new Export(exchange.getRequestURI().getPath(), exchange.getRequestHeaders().getFirst("Content-Type"), body));
                exchange.sendResponseHeaders(200, -1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.start();
    }

    /** A collector that accepts and keeps every export. */
    public static OtlpCollector start() throws IOException {
        return new OtlpCollector(false);
    }

    /** A collector that reads every export and never answers (until closed). */
    public static OtlpCollector hanging() throws IOException {
        return new OtlpCollector(true);
    }

    /** The base URL, e.g. {@code http://localhost:41234}, as {@code ENSEMBLE_WORKER_OTLP_ENDPOINT} would name it. */
    public String url() {
        return "http://localhost:" + server.getAddress().getPort();
    }

    public List<Export> exports() {
        return List.copyOf(exports);
    }

    /** Every span received so far. */
    public List<ReceivedSpan> spans() {
        List<ReceivedSpan> spans = new ArrayList<>();
        for (Export export : exports) {
            for (Object resourceSpans : list(Json.parseObject(export.body()).get("resourceSpans"))) {
                Map<String, Object> resourceSpan = map(resourceSpans);
                Map<String, String> resource = attributes(map(resourceSpan.get("resource")).get("attributes")).entrySet().stream()
                        .collect(Collectors.toMap(Map.Entry::getKey, e -> String.valueOf(e.getValue())));
                for (Object scopeSpans : list(resourceSpan.get("scopeSpans"))) {
                    for (Object span : list(map(scopeSpans).get("spans"))) {
                        spans.add(new ReceivedSpan(resource, map(span)));
                    }
                }
            }
        }
        return spans;
    }

    /** The spans of one trace, waiting up to {@code timeout} for at least one. */
    public List<ReceivedSpan> awaitTrace(String traceId, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<ReceivedSpan> spans = spans().stream().filter(s -> s.traceId().equals(traceId)).toList();
            if (!spans.isEmpty() || System.nanoTime() > deadline) {
                return spans;
            }
            Thread.sleep(50);
        }
    }

    static Map<String, Object> attributes(Object attributes) {
        Map<String, Object> values = new java.util.LinkedHashMap<>();
        for (Object attribute : list(attributes)) {
            Map<String, Object> keyValue = map(attribute);
            Map<String, Object> value = map(keyValue.get("value"));
            values.put((String) keyValue.get("key"), value.values().iterator().next());
        }
        return values;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object value) {
        return value == null ? List.of() : (List<Object>) value;
    }

    @Override
    public void close() {
        release.countDown();
        server.stop(0);
    }
}
