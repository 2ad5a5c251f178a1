package ai.ensemble.bench;

import java.io.IOException;
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
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import ai.ensemble.EnsembleApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.json.JsonMapper;

/**
 * The gateway's added latency and its throughput: the same closed-loop load of non-streaming chat
 * completions is sent straight to a stub upstream (the baseline) and through the gateway to that
 * stub, and the percentiles are subtracted. The gateway path adds JWT verification, RBAC, two
 * committed audit inserts ({@code synchronous_commit=on}) and the upstream call (which the gateway
 * always streams). Client, stub and gateway share this JVM and its cores, as they do on one box.
 *
 * <p>Run from the repository root (not a test, so {@code ./mvnw verify} never runs it):
 * <pre>./mvnw -q test-compile org.codehaus.mojo:exec-maven-plugin:3.5.1:java \
 *     -Dexec.mainClass=ai.ensemble.bench.GatewayLatencyBench -Dexec.classpathScope=test</pre>
 * Settings (system properties): {@code bench.concurrency} (default {@code 1,16,64}), {@code bench.warmup}
 * (requests before each measured phase, 2000), {@code bench.requests.c1} (measured at concurrency 1,
 * 5000), {@code bench.requests} (measured at higher concurrency, 20000), {@code bench.out}
 * (default {@code target/bench/gateway-latency.json}), {@code bench.portkey} (path of Portkey's
 * {@code build/start-server.js}: the same load through Portkey's open-source gateway too, see
 * {@link PortkeyGateway}).
 */
public final class GatewayLatencyBench {

    private static final String EXPERT = "bench-upstream";
    private static final String BODY = """
            {"model":"bench-upstream","messages":[{"role":"user","content":"ping"}]}""";
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    // The goal for the gateway's own cost at concurrency 16.
    private static final int GOAL_CONCURRENCY = 16;
    private static final double GOAL_ADDED_P50_MS = 1.0;
    private static final double GOAL_ADDED_P99_MS = 5.0;

    /** One concurrency level: the stub alone, through Ensemble, and (when asked for) through Portkey. */
    private record Row(int concurrency, int requests, LoadRun.Result direct, LoadRun.Result gateway, LoadRun.Result portkey) {
        double addedP50() {
            return gateway.percentileMillis(50) - direct.percentileMillis(50);
        }

        double addedP99() {
            return gateway.percentileMillis(99) - direct.percentileMillis(99);
        }

        double portkeyAddedP50() {
            return portkey.percentileMillis(50) - direct.percentileMillis(50);
        }

        double portkeyAddedP99() {
            return portkey.percentileMillis(99) - direct.percentileMillis(99);
        }
    }

    private GatewayLatencyBench() {
    }

    public static void main(String[] args) throws Exception {
        int[] levels = Arrays.stream(System.getProperty("bench.concurrency", "1,16,64").split(","))
                .map(String::strip).mapToInt(Integer::parseInt).toArray();
        int warmup = Integer.getInteger("bench.warmup", 2000);
        int requestsAtOne = Integer.getInteger("bench.requests.c1", 5000);
        int requests = Integer.getInteger("bench.requests", 20000);
        Path out = Path.of(System.getProperty("bench.out", "target/bench/gateway-latency.json"));
        Map<String, Object> machine = machine();

        List<Row> rows = new ArrayList<>();
        String portkeyPath = System.getProperty("bench.portkey");
        Files.createDirectories(Path.of("target", "bench"));
        try (StubUpstream stub = new StubUpstream();
             ConfigurableApplicationContext gateway = startGateway(stub.port(), args);
             PortkeyGateway portkey = portkeyPath == null ? null : PortkeyGateway.start(Path.of(portkeyPath));
             HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            int port = ((WebServerApplicationContext) gateway).getWebServer().getPort();
            String token = devToken(http, port);
            HttpRequest direct = chat(URI.create("http://127.0.0.1:" + stub.port() + StubUpstream.PATH), token);
            HttpRequest viaGateway = chat(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"), token);
            HttpRequest viaPortkey = portkey == null ? null : portkey.chat(stub.port(), BODY, REQUEST_TIMEOUT);
            for (int concurrency : levels) {
                int measured = concurrency == 1 ? requestsAtOne : requests;
                rows.add(new Row(concurrency, measured,
                        phase("direct", http, direct, concurrency, warmup, measured),
                        phase("gateway", http, viaGateway, concurrency, warmup, measured),
                        viaPortkey == null ? null : phase("portkey", http, viaPortkey, concurrency, warmup, measured)));
            }
        }
        machine.put("loadavg_end", loadAverage());

        System.out.println();
        System.out.println(markdown(rows, machine, warmup));
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, JsonMapper.builder().build().writerWithDefaultPrettyPrinter()
                .writeValueAsString(json(rows, machine, warmup)));
        System.out.println("JSON: " + out.toAbsolutePath());
    }

    private static ConfigurableApplicationContext startGateway(int stubPort, String[] extra) {
        List<String> args = new ArrayList<>(List.of(
                "--server.port=0",
                "--ensemble.embedded-postgres.data-dir=target/bench-pg/" + UUID.randomUUID(),
                "--ensemble.embedded-postgres.clean=true",
                "--logging.level.root=WARN",
                // Lists bind from one property source only, so this is the whole list of experts.
                "--ensemble.experts[0].id=" + EXPERT,
                "--ensemble.experts[0].type=upstream",
                "--ensemble.experts[0].base-url=http://127.0.0.1:" + stubPort + "/v1",
                "--ensemble.experts[0].model=stub"));
        args.addAll(List.of(extra));
        return new SpringApplicationBuilder(EnsembleApplication.class).profiles("dev").run(args.toArray(String[]::new));
    }

    /** A real access token from the dev identity provider ({@code client_credentials}). */
    private static String devToken(HttpClient http, int port) throws IOException, InterruptedException {
        String basic = Base64.getEncoder().encodeToString("demo-app:demo-secret".getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/oauth2/token"))
                .header("Authorization", "Basic " + basic)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials"))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("token endpoint answered " + response.statusCode() + ": " + response.body());
        }
        return JsonMapper.builder().build().readTree(response.body()).get("access_token").asString();
    }

    /** The same bytes go both ways (the stub ignores the token), so the baseline differs only in the path. */
    private static HttpRequest chat(URI uri, String token) {
        return HttpRequest.newBuilder(uri)
                .timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(BODY))
                .build();
    }

    private static LoadRun.Result phase(String target, HttpClient http, HttpRequest request, int concurrency,
                                        int warmup, int measured) {
        System.out.printf("%s C=%d: %d warm-up, %d measured ... ", target, concurrency, warmup, measured);
        System.out.flush();
        LoadRun.Result warm = LoadRun.run(http, request, concurrency, warmup);
        LoadRun.Result result = LoadRun.run(http, request, concurrency, measured);
        System.out.printf("p50 %.3f ms, p99 %.3f ms, %.0f req/s, failures %d (warm-up failures %d)%n",
                result.percentileMillis(50), result.percentileMillis(99), result.requestsPerSecond(),
                result.failures(), warm.failures());
        if (result.firstFailure() != null) {
            System.out.println("  first failure: " + result.firstFailure());
        }
        return result;
    }

    private static String markdown(List<Row> rows, Map<String, Object> machine, int warmup) {
        StringBuilder table = new StringBuilder();
        table.append("Gateway added latency (").append(machine.get("cpus")).append(" CPUs, ").append(machine.get("cpu_model"))
                .append(", Java ").append(machine.get("java")).append(", loadavg at start ").append(machine.get("loadavg_start"))
                .append(", at end ").append(machine.get("loadavg_end")).append("; ").append(warmup)
                .append(" warm-up requests per phase)\n\n");
        table.append("| C | measured requests | direct p50 ms | direct p99 ms | gateway p50 ms | gateway p99 ms "
                + "| added p50 ms | added p99 ms | direct req/s | gateway req/s | failures (direct/gateway) |\n");
        table.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (Row row : rows) {
            table.append(String.format("| %d | %d | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.0f | %.0f | %d / %d%s |%n",
                    row.concurrency(), row.requests(),
                    row.direct().percentileMillis(50), row.direct().percentileMillis(99),
                    row.gateway().percentileMillis(50), row.gateway().percentileMillis(99),
                    row.addedP50(), row.addedP99(),
                    row.direct().requestsPerSecond(), row.gateway().requestsPerSecond(),
                    row.direct().failures(), row.gateway().failures(),
                    row.direct().failures() + row.gateway().failures() > 0 ? " RUN HAD FAILURES" : ""));
        }
        if (rows.stream().anyMatch(row -> row.portkey() != null)) {
            table.append("\nSide by side with Portkey's open-source gateway (same stub, client and load; Portkey only forwards):\n\n");
            table.append("| C | Ensemble added p50 ms | Ensemble added p99 ms | Portkey added p50 ms | Portkey added p99 ms "
                    + "| Ensemble req/s | Portkey req/s | Portkey failures |\n|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            for (Row row : rows) {
                table.append(String.format("| %d | %.3f | %.3f | %.3f | %.3f | %.0f | %.0f | %d |%n", row.concurrency(),
                        row.addedP50(), row.addedP99(), row.portkeyAddedP50(), row.portkeyAddedP99(),
                        row.gateway().requestsPerSecond(), row.portkey().requestsPerSecond(), row.portkey().failures()));
            }
        }
        rows.stream().filter(row -> row.concurrency() == GOAL_CONCURRENCY).findFirst().ifPresent(row ->
                table.append(String.format("%nGoal at C=%d (added p50 <= %.0f ms, added p99 <= %.0f ms): %s%n",
                        GOAL_CONCURRENCY, GOAL_ADDED_P50_MS, GOAL_ADDED_P99_MS, goalMet(row) ? "met" : "NOT met")));
        return table.toString();
    }

    private static boolean goalMet(Row row) {
        return row.direct().failures() == 0 && row.gateway().failures() == 0
                && row.addedP50() <= GOAL_ADDED_P50_MS && row.addedP99() <= GOAL_ADDED_P99_MS;
    }

    private static Map<String, Object> json(List<Row> rows, Map<String, Object> machine, int warmup) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("benchmark", "gateway-latency");
        root.put("finished_at", Instant.now().toString());
        root.put("machine", machine);
        root.put("warmup_requests_per_phase", warmup);
        root.put("gateway_path", "JWT verification + RBAC + two committed audit inserts (synchronous_commit=on) + upstream call");
        List<Map<String, Object>> results = new ArrayList<>();
        for (Row row : rows) {
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("concurrency", row.concurrency());
            result.put("requests", row.requests());
            result.put("direct", phaseJson(row.direct()));
            result.put("gateway", phaseJson(row.gateway()));
            result.put("added_p50_ms", round(row.addedP50()));
            result.put("added_p99_ms", round(row.addedP99()));
            if (row.portkey() != null) {
                result.put("portkey", phaseJson(row.portkey()));
                result.put("portkey_added_p50_ms", round(row.portkeyAddedP50()));
                result.put("portkey_added_p99_ms", round(row.portkeyAddedP99()));
            }
            result.put("failed", row.direct().failures() + row.gateway().failures() > 0);
            if (row.concurrency() == GOAL_CONCURRENCY) {
                result.put("goal", Map.of("added_p50_ms_max", GOAL_ADDED_P50_MS, "added_p99_ms_max", GOAL_ADDED_P99_MS,
                        "met", goalMet(row)));
            }
            results.add(result);
        }
        root.put("results", results);
        return root;
    }

    private static Map<String, Object> phaseJson(LoadRun.Result result) {
        Map<String, Object> phase = new LinkedHashMap<>();
        phase.put("p50_ms", round(result.percentileMillis(50)));
        phase.put("p90_ms", round(result.percentileMillis(90)));
        phase.put("p99_ms", round(result.percentileMillis(99)));
        phase.put("p999_ms", round(result.percentileMillis(99.9)));
        phase.put("max_ms", round(result.percentileMillis(100)));
        phase.put("requests_per_second", Math.round(result.requestsPerSecond()));
        phase.put("failures", result.failures());
        if (result.firstFailure() != null) {
            phase.put("first_failure", result.firstFailure());
        }
        return phase;
    }

    private static double round(double millis) {
        return Math.round(millis * 1000) / 1000.0;
    }

    private static Map<String, Object> machine() {
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("cpus", Runtime.getRuntime().availableProcessors());
        machine.put("cpu_model", cpuModel());
        machine.put("java", Runtime.version().toString() + " (" + System.getProperty("java.vm.vendor") + ")");
        machine.put("loadavg_start", loadAverage());
        return machine;
    }

    private static String cpuModel() {
        try (var lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(line -> line.startsWith("model name")).map(line -> line.substring(line.indexOf(':') + 1).strip())
                    .findFirst().orElse("unknown");
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /** The 1-, 5- and 15-minute load averages: other work on the box skews every number here. */
    private static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
