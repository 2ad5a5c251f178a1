package ai.ensemble.engine.serve;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Sends the worker's spans to an OpenTelemetry collector over OTLP/HTTP with JSON bodies
 * ({@link OtlpJson}), on the JDK's HTTP client: the worker's small runtime carries no OpenTelemetry
 * SDK. Spans wait in a bounded queue and leave in batches, every {@link #INTERVAL} or as soon as
 * {@link #BATCH} are waiting, from one background thread. Generation never waits for it: a full
 * queue drops the span and counts it, and a failed export is counted, logged at most once a minute
 * and never thrown.
 */
final class OtlpExporter implements AutoCloseable {

    static final int BATCH = 256;
    static final int CAPACITY = 4 * BATCH;
    static final Duration INTERVAL = Duration.ofSeconds(1);
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final long LOG_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final System.Logger LOG = System.getLogger(OtlpExporter.class.getName());

    private final URI endpoint;
    private final Map<String, String> resource;
    private final HttpClient http;
    private final BlockingQueue<WorkerSpan.Finished> queue = new ArrayBlockingQueue<>(CAPACITY);
    private final LongAdder dropped = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final AtomicLong lastFailureLogged = new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS);
    private final Thread sender;
    private volatile boolean closed;

    /**
     * @param endpoint        the collector's traces URL ({@code .../v1/traces}, see {@link #tracesUrl})
     * @param serviceInstance this worker's {@code service.instance.id} (its pod name, say)
     */
    OtlpExporter(URI endpoint, String serviceInstance) {
        this.endpoint = endpoint;
        this.resource = Map.of("service.name", "ensemble-worker", "service.instance.id", serviceInstance);
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).build();
        this.sender = Thread.ofPlatform().name("otlp-span-exporter").daemon().start(this::run);
        LOG.log(System.Logger.Level.INFO, "Exporting sampled spans to {0}", endpoint);
    }

    /**
     * The URL spans are posted to: an endpoint that already ends in {@code /v1/traces} (as the
     * gateway's setting does) is taken as it is, any other gets {@code /v1/traces} appended.
     *
     * @throws IllegalArgumentException when the endpoint is not an absolute http(s) URL
     */
    static URI tracesUrl(String endpoint) {
        URI uri;
        try {
            uri = URI.create(endpoint.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a URL: " + e.getMessage());
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
            throw new IllegalArgumentException("must be an http or https URL such as http://otel-collector:4318");
        }
        String text = uri.toString();
        return text.endsWith("/v1/traces") ? uri : URI.create(text.replaceAll("/+$", "") + "/v1/traces");
    }

    /** Queues a span without waiting; when the queue is full the span is dropped and counted. */
    void export(WorkerSpan.Finished span) {
        if (closed || !queue.offer(span)) {
            dropped.increment();
        }
    }

    /** Spans dropped because the queue was full (or the exporter closed). */
    long dropped() {
        return dropped.sum();
    }

    /** Spans in batches the collector did not accept. */
    long failed() {
        return failed.sum();
    }

    private void run() {
        List<WorkerSpan.Finished> batch = new ArrayList<>(BATCH);
        while (!closed) {
            try {
                long deadline = System.nanoTime() + INTERVAL.toNanos();
                while (batch.size() < BATCH) {
                    long left = deadline - System.nanoTime();
                    WorkerSpan.Finished span = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : null;
                    if (span == null) {
                        break;
                    }
                    batch.add(span);
                    queue.drainTo(batch, BATCH - batch.size());
                }
            } catch (InterruptedException e) {
                break; // closing: what is queued is sent below
            }
            send(batch);
        }
        Thread.interrupted(); // the interrupt that asked to close must not abort the last sends
        queue.drainTo(batch);
        for (int from = 0; from < batch.size(); from += BATCH) {
            send(new ArrayList<>(batch.subList(from, Math.min(batch.size(), from + BATCH))));
        }
    }

    private void send(List<WorkerSpan.Finished> batch) {
        if (batch.isEmpty()) {
            return;
        }
        try {
            HttpRequest request = HttpRequest.newBuilder(endpoint).timeout(TIMEOUT).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(OtlpJson.request(resource, batch))).build();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                failure(batch.size(), "HTTP " + response.statusCode());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure(batch.size(), "interrupted");
        } catch (Exception e) {
            failure(batch.size(), e.toString());
        } finally {
            batch.clear();
        }
    }

    private void failure(int spans, String reason) {
        failed.add(spans);
        long last = lastFailureLogged.get();
        long now = System.nanoTime();
        if (now - last >= LOG_EVERY_NANOS && lastFailureLogged.compareAndSet(last, now)) {
            LOG.log(System.Logger.Level.WARNING, "Exporting {0} spans to {1} failed ({2}); {3} spans lost so far, "
                    + "next failure logged in a minute at the earliest", spans, endpoint, reason, failed.sum() + dropped.sum());
        }
    }

    /** Sends what is queued (waiting at most a few seconds), then stops and drops any export still in flight. */
    @Override
    public void close() {
        closed = true;
        sender.interrupt();
        try {
            sender.join(TIMEOUT.toMillis() + 1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        http.shutdownNow();
    }
}
