package ai.ensemble.engine.serve;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The worker's counters and its {@code GET /metrics} page in Prometheus' text format (written by
 * hand: the engine carries no metrics library). Gauges come from {@link WorkerLoad}.
 */
final class WorkerMetrics {

    private final LongAdder requests = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder promptTokens = new LongAdder();
    private final LongAdder completionTokens = new LongAdder();
    private final LongAdder firstTokens = new LongAdder();
    private final AtomicLong firstTokenNanos = new AtomicLong();

    void request() {
        requests.increment();
    }

    void failed() {
        failures.increment();
    }

    void rejected() {
        rejected.increment();
    }

    void firstToken(long nanos) {
        firstTokens.increment();
        firstTokenNanos.addAndGet(nanos);
    }

    void tokens(int prompt, int completion) {
        promptTokens.add(prompt);
        completionTokens.add(completion);
    }

    long requests() {
        return requests.sum();
    }

    /** @param spansLost spans the OTLP exporter dropped (queue full) or could not deliver */
    String exposition(WorkerLoad load, long spansLost) {
        StringBuilder out = new StringBuilder();
        counter(out, "ensemble_worker_requests_total", "Generation requests accepted", requests.sum());
        counter(out, "ensemble_worker_failures_total", "Generations that failed after they were accepted", failures.sum());
        counter(out, "ensemble_worker_rejected_total", "Generation requests refused as overloaded", rejected.sum());
        counter(out, "ensemble_worker_prompt_tokens_total", "Prompt tokens processed", promptTokens.sum());
        counter(out, "ensemble_worker_completion_tokens_total", "Tokens generated", completionTokens.sum());
        counter(out, "ensemble_worker_spans_lost_total", "Trace spans dropped or not accepted by the collector", spansLost);
        gauge(out, "ensemble_worker_queue_depth", "Generations waiting for the model", load.queued());
        gauge(out, "ensemble_worker_running", "Generations running", load.running());
        gauge(out, "ensemble_worker_in_flight", "Requests this worker holds (running, waiting or streaming)", load.inFlight());
        gauge(out, "ensemble_worker_kv_blocks_used", "KV-cache blocks in use (GPU batch scheduler)", load.kvBlocksUsed());
        gauge(out, "ensemble_worker_kv_blocks_total", "KV-cache blocks in the pool (GPU batch scheduler)", load.kvBlocksTotal());
        out.append("# HELP ensemble_worker_time_to_first_token_seconds Time from request to first token\n")
                .append("# TYPE ensemble_worker_time_to_first_token_seconds summary\n")
                .append("ensemble_worker_time_to_first_token_seconds_sum ").append(firstTokenNanos.get() / 1e9).append('\n')
                .append("ensemble_worker_time_to_first_token_seconds_count ").append(firstTokens.sum()).append('\n');
        return out.toString();
    }

    private static void counter(StringBuilder out, String name, String help, long value) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(" counter\n").append(name).append(' ').append(value).append('\n');
    }

    private static void gauge(StringBuilder out, String name, String help, long value) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(" gauge\n").append(name).append(' ').append(value).append('\n');
    }
}
