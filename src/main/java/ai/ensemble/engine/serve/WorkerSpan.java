package ai.ensemble.engine.serve;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The worker's span of one request, recorded by hand (the engine carries no tracing library) and
 * handed to the {@link OtlpExporter} when it ends. {@link #NONE} records nothing: the span of an
 * unsampled request, of one without a valid {@code traceparent}, or of a worker that exports nothing.
 * Attributes are ids, counts and statuses, never prompt or output text. Its methods may be called
 * from the request's thread and the engine's thread that delivers text, hence synchronized.
 */
final class WorkerSpan {

    /** Records nothing. */
    static final WorkerSpan NONE = new WorkerSpan(null, null, null);

    /** An event at a moment of the span, such as {@code first-token}. */
    record Event(String name, long epochNanos) {
    }

    /** A span that has ended, as the exporter encodes it; {@code errorMessage} null: not an error. */
    record Finished(String traceId, String spanId, String parentSpanId, String name, long startEpochNanos, long endEpochNanos,
                    Map<String, Object> attributes, List<Event> events, String errorMessage) {
    }

    private final OtlpExporter exporter;
    private final TraceParent parent;
    private final String name;
    private final String spanId;
    private final long startEpochNanos;
    private final long startNanoTime = System.nanoTime();
    private final Map<String, Object> attributes = new LinkedHashMap<>();
    private final List<Event> events = new ArrayList<>();
    private String errorMessage;
    private boolean ended;

    private WorkerSpan(OtlpExporter exporter, TraceParent parent, String name) {
        this.exporter = exporter;
        this.parent = parent;
        this.name = name;
        this.spanId = exporter == null ? null : newSpanId();
        Instant now = Instant.now();
        this.startEpochNanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    /** A span under {@code parent} when the caller sampled it and the worker exports spans; else {@link #NONE}. */
    static WorkerSpan start(String name, TraceParent parent, OtlpExporter exporter) {
        return exporter == null || parent == null || !parent.sampled() ? NONE : new WorkerSpan(exporter, parent, name);
    }

    /** String or integer attributes; null values are left out. */
    synchronized void attribute(String key, Object value) {
        if (this != NONE && value != null) {
            attributes.put(key, value);
        }
    }

    synchronized void event(String eventName) {
        if (this != NONE) {
            events.add(new Event(eventName, now()));
        }
    }

    /** Marks the span as an error; the message names the kind of failure, never request content. */
    synchronized void fail(String message) {
        if (this != NONE && errorMessage == null) {
            errorMessage = message;
        }
    }

    /** Ends the span and queues it for export; later calls do nothing. */
    void end() {
        if (this == NONE) {
            return;
        }
        Finished finished;
        synchronized (this) {
            if (ended) {
                return;
            }
            ended = true;
            finished = new Finished(parent.traceId(), spanId, parent.parentSpanId(), name, startEpochNanos, now(),
                    java.util.Collections.unmodifiableMap(new LinkedHashMap<>(attributes)), List.copyOf(events), errorMessage);
        }
        exporter.export(finished);
    }

    /** Wall-clock start plus the monotonic time since, so that durations do not jump with the clock. */
    private long now() {
        return startEpochNanos + (System.nanoTime() - startNanoTime);
    }

    private static String newSpanId() {
        long id;
        do {
            id = ThreadLocalRandom.current().nextLong();
        } while (id == 0);
        return HexFormat.of().toHexDigits(id);
    }
}
