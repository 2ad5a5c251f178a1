package ai.ensemble.bench;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

import ai.ensemble.EnsembleApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.json.JsonMapper;

/**
 * A steady-rate soak of the whole gateway: {@code soak.rate} requests per second (default 50),
 * alternating JSON and SSE chat completions through the full pipeline to a stub upstream, for
 * {@code soak.minutes} (default 30). Every minute it records the heap in use after a full GC, live
 * threads, the database connections open (pg_stat_activity) and the errors so far; a leak shows as
 * a rising heap floor, threads or connections.
 * <pre>./mvnw -q test-compile org.codehaus.mojo:exec-maven-plugin:3.5.1:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=ai.ensemble.bench.SoakBench -Dsoak.minutes=30 -Dsoak.rate=50</pre>
 */
public final class SoakBench {

    private SoakBench() {
    }

    public static void main(String[] args) throws Exception {
        int minutes = Integer.getInteger("soak.minutes", 30);
        int rate = Integer.getInteger("soak.rate", 50);
        Path out = Path.of(System.getProperty("soak.out", "target/bench/soak.json"));
        try (StubUpstream stub = new StubUpstream();
             ConfigurableApplicationContext gateway = new SpringApplicationBuilder(EnsembleApplication.class).profiles("dev").run(
                     "--server.port=0", "--ensemble.embedded-postgres.data-dir=target/bench-pg/" + UUID.randomUUID(),
                     "--ensemble.embedded-postgres.clean=true", "--logging.level.root=WARN",
                     "--ensemble.experts[0].id=soak-upstream", "--ensemble.experts[0].type=upstream",
                     "--ensemble.experts[0].base-url=http://127.0.0.1:" + stub.port() + "/v1", "--ensemble.experts[0].model=stub");
             HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
             ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor()) {
            int port = ((WebServerApplicationContext) gateway).getWebServer().getPort();
            JdbcClient jdbc = gateway.getBean(JdbcClient.class);
            String basic = Base64.getEncoder().encodeToString("demo-app:demo-secret".getBytes(StandardCharsets.UTF_8));
            String token = JsonMapper.builder().build().readTree(http.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/oauth2/token")).header("Authorization", "Basic " + basic)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")).build(),
                    HttpResponse.BodyHandlers.ofString()).body()).get("access_token").asString();
            AtomicLong sent = new AtomicLong();
            AtomicLong failed = new AtomicLong();
            List<String> rows = new ArrayList<>();
            System.out.printf(Locale.ROOT, "soak: %d req/s for %d min on %d CPUs%n| minute | requests | errors | heap after GC MB | threads | db connections |%n|---:|---:|---:|---:|---:|---:|%n",
                    rate, minutes, Runtime.getRuntime().availableProcessors());
            long start = System.nanoTime();
            long periodNanos = 1_000_000_000L / rate;
            long next = start;
            int minute = 0;
            Instant end = Instant.now().plus(Duration.ofMinutes(minutes));
            while (Instant.now().isBefore(end)) {
                long i = sent.incrementAndGet();
                boolean stream = (i & 1) == 0;
                HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                        .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"soak-upstream\",\"stream\":" + stream
                                + ",\"messages\":[{\"role\":\"user\",\"content\":\"soak " + i + "\"}]}")).build();
                senders.submit(() -> {
                    try {
                        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                        if (response.statusCode() != 200 || (stream && !response.body().contains("[DONE]"))) {
                            failed.incrementAndGet();
                        }
                    } catch (Exception e) {
                        failed.incrementAndGet();
                    }
                });
                next += periodNanos;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                if (System.nanoTime() - start >= (minute + 1) * 60_000_000_000L) {
                    minute++;
                    System.gc();
                    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024 * 1024);
                    int threads = ManagementFactory.getThreadMXBean().getThreadCount();
                    long connections = jdbc.sql("select count(*) from pg_stat_activity where backend_type = 'client backend'")
                            .query(Long.class).single();
                    String row = String.format(Locale.ROOT, "| %d | %d | %d | %d | %d | %d |", minute, sent.get(), failed.get(), heap, threads,
                            connections);
                    rows.add(row);
                    System.out.println(row);
                }
            }
            Thread.sleep(5000);
            Files.createDirectories(out.toAbsolutePath().getParent());
            Files.writeString(out, "{\"rate\": " + rate + ", \"minutes\": " + minutes + ", \"requests\": " + sent.get()
                    + ", \"errors\": " + failed.get() + ", \"rows\": " + JsonMapper.builder().build().writeValueAsString(rows) + "}\n");
            System.out.printf("soak done: %d requests, %d errors; %s%n", sent.get(), failed.get(), out.toAbsolutePath());
        }
    }
}
