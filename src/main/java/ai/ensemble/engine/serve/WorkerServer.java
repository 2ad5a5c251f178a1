package ai.ensemble.engine.serve;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import ai.ensemble.engine.LocalModel;
import ai.ensemble.engine.ServiceToken;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The inference worker: one model behind a small internal HTTP API, on the JDK's HTTP server with a
 * virtual thread per request, so that the GPU machine runs the engine without Spring, a database or
 * an identity provider. The gateway's {@code worker} experts call it.
 *
 * <ul>
 * <li>{@code POST /internal/v1/generate}: a chat, answered as newline-delimited JSON events
 *     ({@code {"delta":...}}, then {@code {"finish_reason":...,"usage":{...}}}, or {@code {"error":{...}}});
 *     a client that disconnects cancels its generation (its KV blocks are freed).</li>
 * <li>{@code GET /internal/v1/load}: queue depth, running generations, KV-cache use (see {@link WorkerLoad}).</li>
 * <li>{@code GET /health/live}, {@code /health/ready}: for the orchestrator, without a token.</li>
 * <li>{@code GET /metrics}: Prometheus text, without a token (counters and gauges, no request content;
 *     a scraper cannot mint the minute-long tokens, and the port is reachable only inside the cluster).</li>
 * </ul>
 * The internal endpoints need a {@link ServiceToken} ({@code Authorization: Bearer ...}); anything
 * else is a 401. A W3C {@code traceparent} header's trace id is named in the log lines of the request
 * and echoed in {@code X-Trace-Id}; when the caller sampled the trace and the worker has an OTLP
 * endpoint, the generation is a {@code worker.generate} span under the caller's span, exported by
 * {@link OtlpExporter}.
 */
public final class WorkerServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(WorkerServer.class.getName());
    private static final int MAX_BODY_BYTES = 4 * 1024 * 1024;

    private final LocalModel model;
    private final boolean ownsModel;
    private final ServiceToken tokens;
    private final Clock clock;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final WorkerMetrics metrics = new WorkerMetrics();
    private final Generation generation;
    private final OtlpExporter spans;

    private WorkerServer(LocalModel model, boolean ownsModel, ServiceToken tokens, int port, Clock clock, OtlpExporter spans)
            throws IOException {
        this(model, ownsModel, tokens, port, clock, spans, null);
    }

    private WorkerServer(LocalModel model, boolean ownsModel, ServiceToken tokens, int port, Clock clock, OtlpExporter spans,
                         java.time.Duration tokenInterval) throws IOException {
        this.model = model;
        this.ownsModel = ownsModel;
        this.tokens = tokens;
        this.clock = clock;
        this.spans = spans;
        this.generation = new Generation(model, metrics, tokenInterval);
        this.server = HttpServer.create(new InetSocketAddress(port), 128);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
        LOG.log(System.Logger.Level.INFO, "Inference worker serves {0} ({1}) on port {2}", model.name(), model.backend(),
                String.valueOf(port()));
    }

    /**
     * Serves {@code model} on {@code port} (0: any free port); closing the server leaves the model open.
     */
    public static WorkerServer start(LocalModel model, ServiceToken tokens, int port) throws IOException {
        return new WorkerServer(model, false, tokens, port, Clock.systemUTC(), null);
    }

    /**
     * As {@link #start(LocalModel, ServiceToken, int)}, exporting the spans of sampled requests to the
     * OTLP/HTTP {@code otlpEndpoint} (a collector's base URL or its {@code /v1/traces} URL).
     */
    public static WorkerServer start(LocalModel model, ServiceToken tokens, int port, String otlpEndpoint) throws IOException {
        return new WorkerServer(model, false, tokens, port, Clock.systemUTC(),
                new OtlpExporter(OtlpExporter.tracesUrl(otlpEndpoint), "worker-" + java.util.UUID.randomUUID()));
    }

    /**
     * As {@link #start(LocalModel, ServiceToken, int)}, each stream paced to at most one token per
     * {@code tokenInterval}: a worker that answers at a set rate, for fault and load tests and demos
     * on the CPU backend (on a GPU the pause would hold the whole continuous batch).
     */
    public static WorkerServer startPaced(LocalModel model, ServiceToken tokens, int port, java.time.Duration tokenInterval)
            throws IOException {
        return new WorkerServer(model, false, tokens, port, Clock.systemUTC(), null, tokenInterval);
    }

    /** Opens the model the settings name and serves it; closing the server closes the model. */
    public static WorkerServer start(WorkerSettings settings) throws IOException {
        LocalModel model = LocalModel.open(settings.model(), new LocalModel.Options(settings.backend(), settings.maxWaiting(), true));
        try {
            OtlpExporter spans = settings.otlpEndpoint() == null ? null
                    : new OtlpExporter(settings.otlpEndpoint(), settings.serviceInstance());
            return new WorkerServer(model, true, ServiceToken.ofSecret(settings.tokenSecret()), settings.port(), Clock.systemUTC(),
                    spans);
        } catch (IOException | RuntimeException e) {
            try {
                model.close();
            } catch (Exception ignored) {
                // already failing
            }
            throw e;
        }
    }

    /** The port the server listens on. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** Generation requests this worker has accepted since it started. */
    public long requestsServed() {
        return metrics.requests();
    }

    /** Requests held now (running, waiting or streaming). */
    public int inFlight() {
        return inFlight.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            TraceParent trace = TraceParent.parse(exchange.getRequestHeaders().getFirst("traceparent"));
            String traceId = trace == null ? null : trace.traceId();
            if (traceId != null) {
                exchange.getResponseHeaders().set("X-Trace-Id", traceId);
            }
            switch (path) {
                case "/health/live" -> text(exchange, 200, "text/plain", "live\n");
                case "/health/ready" -> text(exchange, 200, "text/plain", "ready\n");
                case "/metrics" -> text(exchange, 200, "text/plain; version=0.0.4",
                        metrics.exposition(load(), spans == null ? 0 : spans.dropped() + spans.failed()));
                case "/internal/v1/load", "/internal/v1/generate" -> {
                    ServiceToken.Claims claims;
                    try {
                        claims = tokens.verify(bearer(exchange), clock.instant());
                    } catch (ServiceToken.InvalidTokenException e) {
                        LOG.log(System.Logger.Level.WARNING, "Refused {0} {1}: {2} trace_id={3}", method, path, e.getMessage(), traceId);
                        error(exchange, 401, "unauthorized", e.getMessage(), null);
                        return;
                    }
                    if (path.equals("/internal/v1/load")) {
                        if (!method.equals("GET")) {
                            error(exchange, 405, "method_not_allowed", "use GET", null);
                            return;
                        }
                        text(exchange, 200, "application/json", load().json());
                    } else {
                        if (!method.equals("POST")) {
                            error(exchange, 405, "method_not_allowed", "use POST", null);
                            return;
                        }
                        generate(exchange, claims.subject(), trace);
                    }
                }
                default -> error(exchange, 404, "not_found", "no endpoint " + path, null);
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "Exchange ended early: {0}", e.toString());
        }
    }

    private void generate(HttpExchange exchange, String requestId, TraceParent trace) throws IOException {
        WorkerSpan span = WorkerSpan.start("worker.generate", trace, spans);
        try {
            generate(exchange, requestId, trace == null ? null : trace.traceId(), span);
        } finally {
            span.end();
        }
    }

    private void generate(HttpExchange exchange, String requestId, String traceId, WorkerSpan span) throws IOException {
        span.attribute("ensemble.request.id", requestId);
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readNBytes(MAX_BODY_BYTES + 1);
        }
        if (body.length > MAX_BODY_BYTES) {
            span.fail("invalid_request: body too large");
            error(exchange, 413, "invalid_request", "the body exceeds " + MAX_BODY_BYTES + " bytes", "body");
            return;
        }
        GenerateRequest request;
        try {
            request = GenerateRequest.parse(new String(body, StandardCharsets.UTF_8));
        } catch (GenerateRequest.InvalidException e) {
            span.fail("invalid_request: " + e.field); // the field only: a parse error may quote the body
            error(exchange, 400, "invalid_request", e.getMessage(), e.field);
            return;
        }
        inFlight.incrementAndGet();
        try {
            generation.run(exchange, request, "request=" + requestId + " trace_id=" + traceId, span);
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private WorkerLoad load() {
        return WorkerLoad.of(model, inFlight.get());
    }

    private static String bearer(HttpExchange exchange) {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        return header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).strip() : null;
    }

    static void text(HttpExchange exchange, int status, String contentType, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** {@code {"error":{"type":...,"message":...,"param":...}}} */
    static void error(HttpExchange exchange, int status, String type, String message, String param) throws IOException {
        text(exchange, status, "application/json", errorJson(type, message, param) + "\n");
    }

    static String errorJson(String type, String message, String param) {
        Map<String, Object> error = new java.util.LinkedHashMap<>();
        error.put("type", type);
        error.put("message", message);
        if (param != null) {
            error.put("param", param);
        }
        return JsonText.object(Map.of("error", error));
    }

    /** Stops listening and drops open connections at once (their generations are cancelled); closes an owned model. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        if (spans != null) {
            spans.close();
        }
        if (ownsModel) {
            try {
                model.close();
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, "Closing the model failed: {0}", e.toString());
            }
        }
    }
}
