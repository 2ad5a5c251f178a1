package ai.ensemble.bench;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A closed-loop load: {@code concurrency} virtual-thread workers share a fixed number of identical
 * requests through one client, each sending its next request as soon as the previous one answered.
 */
final class LoadRun {

    /** Every request's latency (sorted), the failures (anything but 200) and the phase's wall time. */
    record Result(long[] sortedNanos, int failures, String firstFailure, long wallNanos) {

        /** Nearest-rank percentile, in milliseconds. */
        double percentileMillis(double percentile) {
            int rank = (int) Math.ceil(percentile / 100.0 * sortedNanos.length);
            return sortedNanos[Math.clamp(rank - 1, 0, sortedNanos.length - 1)] / 1e6;
        }

        double requestsPerSecond() {
            return sortedNanos.length * 1e9 / wallNanos;
        }
    }

    private LoadRun() {
    }

    static Result run(HttpClient http, HttpRequest request, int concurrency, int requests) {
        long[] latencies = new long[requests];
        AtomicInteger tickets = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        AtomicReference<String> firstFailure = new AtomicReference<>();
        long started = System.nanoTime();
        try (ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int w = 0; w < concurrency; w++) {
                workers.submit(() -> {
                    for (int i = tickets.getAndIncrement(); i < requests; i = tickets.getAndIncrement()) {
                        long sent = System.nanoTime();
                        String failure = send(http, request);
                        latencies[i] = System.nanoTime() - sent;
                        if (failure != null) {
                            failures.incrementAndGet();
                            firstFailure.compareAndSet(null, failure);
                        }
                    }
                });
            }
        } // close() waits for every worker, which also publishes their writes to latencies
        long wall = System.nanoTime() - started;
        Arrays.sort(latencies);
        return new Result(latencies, failures.get(), firstFailure.get(), wall);
    }

    /** Null when the answer was a 200, else what went wrong. */
    private static String send(HttpClient http, HttpRequest request) {
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 200) {
                return null;
            }
            String body = response.body();
            return "HTTP " + response.statusCode() + ": " + body.substring(0, Math.min(body.length(), 300));
        } catch (IOException e) {
            return e.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
