package ai.ensemble.audit.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import ai.ensemble.audit.AuditEvent;
import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.flywaydb.core.Flyway;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Audit write throughput and commit latency with {@code fsync=on} and {@code synchronous_commit=on}:
 * first P producers (virtual threads) append request-sized events as fast as commits allow, each
 * waiting for its commit as a request does (throughput); then events arrive at a fixed rate
 * ({@code bench.rate}, default 5,000/s) and each one's commit latency is measured.
 *
 * <pre>./mvnw -q test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=ai.ensemble.audit.internal.AuditWriterBench [-Dbench.producers=64 -Dbench.seconds=20 -Dbench.rate=5000]</pre>
 */
public final class AuditWriterBench {

    public static void main(String[] args) throws Exception {
        int producers = Integer.getInteger("bench.producers", 64);
        int seconds = Integer.getInteger("bench.seconds", 20);
        int warmupSeconds = Integer.getInteger("bench.warmup", 5);
        Path dataDir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "audit-bench-pg");
        int rate = Integer.getInteger("bench.rate", 5000);
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().setDataDirectory(dataDir).setCleanDataDirectory(true)
                .setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on").start();
             HikariDataSource dataSource = new HikariDataSource()) {
            Flyway.configure().dataSource(postgres.getPostgresDatabase()).locations("classpath:db/migration").load().migrate();
            dataSource.setJdbcUrl(postgres.getJdbcUrl("postgres", "postgres"));
            dataSource.setUsername("postgres");
            dataSource.setMaximumPoolSize(4);
            dataSource.addDataSourceProperty("reWriteBatchedInserts", "true");
            String syncCommit = JdbcClient.create(dataSource).sql("show synchronous_commit").query(String.class).single();
            GroupCommitWriter writer = new GroupCommitWriter(dataSource, 1000, 100_000, new SimpleMeterRegistry());

            run(writer, producers, warmupSeconds);
            Result result = run(writer, producers, seconds);
            Result paced = paced(writer, rate, seconds);
            writer.close();
            long rows = JdbcClient.create(dataSource).sql("select count(*) from audit_event").query(Long.class).single();
            System.out.printf("producers=%d seconds=%d synchronous_commit=%s%n", producers, seconds, syncCommit);
            System.out.printf("events=%d throughput=%.0f events/s commit latency p50=%.2f ms p99=%.2f ms p999=%.2f ms max=%.2f ms failures=%d%n",
                    result.latencies.length, result.latencies.length / (double) seconds,
                    percentile(result.latencies, 0.50), percentile(result.latencies, 0.99),
                    percentile(result.latencies, 0.999), percentile(result.latencies, 1.0), result.failures);
            System.out.printf("paced at %d events/s: events=%d commit latency p50=%.2f ms p99=%.2f ms p999=%.2f ms max=%.2f ms failures=%d%n",
                    rate, paced.latencies.length, percentile(paced.latencies, 0.50), percentile(paced.latencies, 0.99),
                    percentile(paced.latencies, 0.999), percentile(paced.latencies, 1.0), paced.failures);
            System.out.printf("rows committed in total (warm-up included): %d%n", rows);
        }
    }

    private record Result(long[] latencies, int failures) {
    }

    private static Result run(GroupCommitWriter writer, int producers, int seconds) throws InterruptedException {
        long[][] perProducer = new long[producers][];
        int[] counts = new int[producers];
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger failures = new AtomicInteger();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int p = 0; p < producers; p++) {
                int id = p;
                perProducer[p] = new long[1 << 16];
                pool.submit(() -> {
                    while (!stop.get()) {
                        long started = System.nanoTime();
                        try {
                            writer.submit(event(id, counts[id])).get(10, TimeUnit.SECONDS);
                        } catch (Exception e) {
                            failures.incrementAndGet();
                            continue;
                        }
                        if (counts[id] == perProducer[id].length) {
                            perProducer[id] = Arrays.copyOf(perProducer[id], counts[id] * 2);
                        }
                        perProducer[id][counts[id]++] = System.nanoTime() - started;
                    }
                });
            }
            Thread.sleep(seconds * 1000L);
            stop.set(true);
        }
        int total = Arrays.stream(counts).sum();
        long[] all = new long[total];
        int offset = 0;
        for (int p = 0; p < producers; p++) {
            System.arraycopy(perProducer[p], 0, all, offset, counts[p]);
            offset += counts[p];
        }
        Arrays.sort(all);
        return new Result(all, failures.get());
    }

    /**
     * Open loop: events submitted at a fixed rate whatever the writer does, latency measured from
     * each event's scheduled time, so queueing behind a slow commit is counted (no coordinated omission).
     */
    private static Result paced(GroupCommitWriter writer, int rate, int seconds) throws InterruptedException {
        int total = rate * seconds;
        long[] latencies = new long[total];
        AtomicInteger failures = new AtomicInteger();
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(total);
        long start = System.nanoTime();
        for (int i = 0; i < total; i++) {
            long scheduled = start + i * 1_000_000_000L / rate;
            long wait = scheduled - System.nanoTime();
            if (wait > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(wait);
            }
            int index = i;
            writer.submit(event(index % 64, index)).whenComplete((seq, error) -> {
                if (error != null) {
                    failures.incrementAndGet();
                }
                latencies[index] = System.nanoTime() - scheduled;
                done.countDown();
            });
        }
        done.await(60, TimeUnit.SECONDS);
        Arrays.sort(latencies);
        return new Result(latencies, failures.get());
    }

    /** About the size of a real chat request event: a system and a user message, parameters. */
    private static AuditEvent event(int producer, int n) {
        String prompt = "Summarise the quarterly revenue figures for region " + producer + " and flag anomalies. ".repeat(8);
        Map<String, Object> body = Map.of("model", "general", "temperature", 0.2, "messages", List.of(
                Map.of("role", "system", "content", "You are a careful financial analyst."),
                Map.of("role", "user", "content", prompt + n)));
        return new AuditEvent(AuditEvent.Kind.REQUEST, "req_" + UUID.randomUUID(), Instant.now(), "bench-user-" + producer,
                "jwt", Set.of("user"), null, "bench", "/v1/chat/completions", "general", null, null, null, body);
    }

    private static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
        return sorted[Math.max(0, index)] / 1e6;
    }
}
