package ai.ensemble.expert.internal;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import ai.ensemble.engine.ServiceToken;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The inference workers behind one {@code worker} expert and what is known of each: whether it is
 * up, the load it last reported ({@code GET /internal/v1/load}, polled every {@code pollInterval}),
 * and how many requests this gateway has in flight on it. {@link #choose} picks the least-loaded
 * worker that is up; a worker that fails a request or a poll is down until a poll succeeds again.
 */
final class WorkerPool implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WorkerPool.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** What a worker last reported. */
    record Load(int queued, int running, double kvFraction) {
        static final Load UNKNOWN = new Load(0, 0, 0);
    }

    /** One worker: its base URL, state, last load and this gateway's requests on it. */
    static final class Worker {
        final URI base;
        final AtomicInteger inFlight = new AtomicInteger();
        volatile boolean up = true; // until a poll or a request says otherwise
        volatile Load load = Load.UNKNOWN;
        volatile String lastError;

        Worker(URI base) {
            this.base = base;
        }

        /** Queued plus running as reported (up to a poll old), plus this gateway's requests on it now; KV use breaks ties. */
        double score() {
            Load l = load;
            return l.queued() + l.running() + inFlight.get() + l.kvFraction();
        }

        @Override
        public String toString() {
            return base.toString();
        }
    }

    private final String expertId;
    private final List<Worker> workers;
    private final HttpClient http;
    private final ServiceToken tokens;
    private final Duration pollTimeout;
    private final AtomicInteger rotation = new AtomicInteger();
    private final Thread poller;
    private volatile boolean closed;

    WorkerPool(String expertId, List<URI> bases, HttpClient http, ServiceToken tokens, Duration pollInterval) {
        this.expertId = expertId;
        this.workers = bases.stream().map(Worker::new).toList();
        this.http = http;
        this.tokens = tokens;
        this.pollTimeout = pollInterval.compareTo(Duration.ofSeconds(1)) < 0 ? pollInterval.plusMillis(200) : Duration.ofSeconds(1);
        this.poller = Thread.ofVirtual().name("worker-pool-" + expertId).start(() -> {
            while (!closed) {
                pollAll();
                try {
                    Thread.sleep(pollInterval);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    List<Worker> workers() {
        return workers;
    }

    /** The least-loaded worker that is up and not in {@code excluded} (ties go round the pool). */
    Optional<Worker> choose(Collection<Worker> excluded) {
        int start = Math.floorMod(rotation.getAndIncrement(), workers.size());
        List<Worker> rotated = new ArrayList<>(workers.subList(start, workers.size()));
        rotated.addAll(workers.subList(0, start));
        return rotated.stream().filter(w -> w.up && !excluded.contains(w)).min(Comparator.comparingDouble(Worker::score));
    }

    boolean anyUp() {
        return workers.stream().anyMatch(w -> w.up);
    }

    /** A request to the worker failed in a way that says it is gone (connection refused or broken, 5xx). */
    void down(Worker worker, String reason) {
        worker.lastError = reason;
        if (worker.up) {
            worker.up = false;
            log.warn("Inference worker {} of expert '{}' is down: {}", worker, expertId, reason);
        }
    }

    /** Polls every worker now, in parallel, each bounded by the poll timeout. */
    void pollAll() {
        List<CompletableFuture<Void>> polls = new ArrayList<>();
        for (Worker worker : workers) {
            HttpRequest request = HttpRequest.newBuilder(worker.base.resolve("/internal/v1/load"))
                    .timeout(pollTimeout)
                    .header("Authorization", "Bearer " + tokens.sign("load-poll", Instant.now(), Duration.ofSeconds(30)))
                    .GET().build();
            polls.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).handle((response, failure) -> {
                if (failure != null) {
                    down(worker, "load poll failed: " + (failure.getCause() == null ? failure : failure.getCause()));
                } else if (response.statusCode() != 200) {
                    down(worker, "load poll answered " + response.statusCode());
                } else {
                    reported(worker, response.body());
                }
                return null;
            }));
        }
        try {
            CompletableFuture.allOf(polls.toArray(CompletableFuture[]::new)).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.debug("A load poll failed: {}", e.toString());
        }
    }

    private void reported(Worker worker, String body) {
        try {
            JsonNode load = JSON.readTree(body);
            worker.load = new Load(load.path("queued").intValue(0), load.path("running").intValue(0),
                    load.path("kv_fraction").doubleValue(0));
        } catch (RuntimeException e) {
            down(worker, "load poll answered something that is not JSON");
            return;
        }
        if (!worker.up) {
            worker.up = true;
            log.info("Inference worker {} of expert '{}' is up again", worker, expertId);
        }
    }

    @Override
    public void close() {
        closed = true;
        poller.interrupt();
    }
}
