package ai.ensemble.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import ai.ensemble.support.ChildGatewayProcess;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Crash durability: the gateway runs as its own JVM, 16 clients load it, and after about two
 * seconds the JVM and its embedded PostgreSQL server are both killed with SIGKILL, as a machine
 * crash would (no shutdown hooks, no graceful drain, WAL recovery on restart). After a restart on
 * the same data folder, every answer a client received in full (status 200, and for a stream
 * {@code data: [DONE]}) must have its committed {@code request} and {@code response} events, and
 * the hash chain must still verify.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class GatewayCrashTest {

    private static final String DEMO_KEY = "sk-ens-demo00000000devonlyquickstartkeydevonlyquickstartkey";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration LOAD_BEFORE_KILL = Duration.ofSeconds(2);
    private static final int CLIENTS = 16;
    private static final int MIN_ANSWERS = 20;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Path workDir = Path.of("target", "crash-test", UUID.randomUUID().toString()).toAbsolutePath();
    private final Path dataDir = workDir.resolve("postgres");
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    private int port;
    private Process gateway;
    private Path gatewayLog;
    private boolean passed;

    @AfterEach
    void killWhatIsLeft() throws Exception {
        // Runs on failure too: neither a gateway nor a postgres server outlives the test.
        crash();
        if (passed) { // the logs stay; a failure keeps the database too, for diagnosis
            try (Stream<Path> files = Files.walk(dataDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
            }
        }
    }

    @Test
    void everyAnswerAClientReceivedIsInTheAuditLogAfterAKill9() throws Exception {
        Files.createDirectories(workDir);
        port = freePort();

        gateway = start("first");
        awaitReady();

        Map<String, Boolean> received = new ConcurrentHashMap<>(); // request id -> streamed
        AtomicInteger sent = new AtomicInteger();
        AtomicInteger notOk = new AtomicInteger(); // answered, but not a complete 200
        AtomicInteger cutOff = new AtomicInteger(); // the connection broke: in flight at the kill
        AtomicBoolean stop = new AtomicBoolean();
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < CLIENTS; i++) {
                clients.submit(() -> {
                    while (!stop.get()) {
                        int n = sent.incrementAndGet();
                        try {
                            String requestId = n % 3 == 0 ? streamed(n) : completed(n);
                            if (requestId != null) {
                                received.put(requestId, n % 3 == 0);
                            } else {
                                notOk.incrementAndGet();
                            }
                        } catch (ConnectException afterTheKill) {
                            sent.decrementAndGet(); // never reached the gateway
                        } catch (IOException | UncheckedIOException e) {
                            cutOff.incrementAndGet();
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                });
            }
            // About two seconds of load, longer on a machine so slow that few answers came back yet.
            Thread.sleep(LOAD_BEFORE_KILL);
            for (int wait = 0; received.size() < MIN_ANSWERS && wait < 50; wait++) {
                Thread.sleep(200);
            }
            List<ProcessHandle> victims = gatewayProcesses();
            long killed = System.nanoTime();
            victims.forEach(ProcessHandle::destroyForcibly); // SIGKILL while the clients keep sending
            stop.set(true);
            awaitGone(victims);
            gateway = null;
            System.out.printf("GatewayCrashTest: gateway and postgres killed and gone in %d ms%n",
                    (System.nanoTime() - killed) / 1_000_000);
        }

        int total = received.size();
        long streams = received.values().stream().filter(s -> s).count();
        assertThat(total).as("answers received in full before the kill (sent %d, %d not a complete 200, %d cut off)",
                sent.get(), notOk.get(), cutOff.get()).isPositive();

        gateway = start("restarted");
        awaitReady();

        Map<String, List<String>> found = auditEventsOf(received.keySet());
        List<String> missing = new ArrayList<>();
        for (String requestId : received.keySet()) {
            List<String> events = found.getOrDefault(requestId, List.of());
            if (!events.contains("request") || !events.contains("response:200")) {
                missing.add(requestId + (received.get(requestId) ? " (stream)" : "") + " has " + events);
            }
        }
        long eventsFound = found.values().stream().mapToLong(List::size).sum();
        String counts = ("received %d answers (%d streamed) of %d sent, %d not a complete 200, %d cut off by the kill; "
                + "found %d of their events").formatted(total, streams, sent.get(), notOk.get(), cutOff.get(), eventsFound);
        System.out.println("GatewayCrashTest: " + counts);
        assertThat(missing).as(counts + "; answers without both committed events").isEmpty();

        JsonNode verification = verify();
        assertThat(verification.get("valid").asBoolean())
                .as(counts + "; chain verification after restart: " + verification).isTrue();
        assertThat(verification.get("checked").asLong()).as(verification.toString()).isGreaterThanOrEqualTo(2L * total);
        passed = true;
    }

    // ---- clients -------------------------------------------------------------------------------

    private HttpRequest chat(int n, boolean stream) {
        String body = """
                {"model":"demo-echo","messages":[{"role":"user","content":"crash test %d"}]%s}"""
                .formatted(n, stream ? ",\"stream\":true" : "");
        return HttpRequest.newBuilder(uri("/v1/chat/completions"))
                .timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + DEMO_KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    /** The request id of a complete 200 answer, or null. */
    private String completed(int n) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(chat(n, false), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200 || !response.body().contains("crash test " + n)) {
            return null;
        }
        return response.headers().firstValue("X-Request-Id").orElseThrow();
    }

    /** The request id of a 200 stream read up to {@code data: [DONE]}, or null. */
    private String streamed(int n) throws IOException, InterruptedException {
        HttpResponse<Stream<String>> response = http.send(chat(n, true), HttpResponse.BodyHandlers.ofLines());
        try (Stream<String> lines = response.body()) {
            boolean done = lines.anyMatch("data: [DONE]"::equals); // throws when the connection breaks first
            if (response.statusCode() != 200 || !done) {
                return null;
            }
        }
        return response.headers().firstValue("X-Request-Id").orElseThrow();
    }

    private JsonNode verify() throws Exception {
        String basic = Base64.getEncoder().encodeToString("demo-auditor:demo-secret".getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> token = http.send(HttpRequest.newBuilder(uri("/oauth2/token"))
                .header("Authorization", "Basic " + basic)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(token.statusCode()).as(token.body()).isEqualTo(200);
        String accessToken = JSON.readTree(token.body()).get("access_token").asString();
        HttpResponse<String> verification = http.send(HttpRequest.newBuilder(uri("/admin/api/audit/verify"))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + accessToken)
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(verification.statusCode()).as(verification.body()).isEqualTo(200);
        return JSON.readTree(verification.body());
    }

    /** {@code request} or {@code response:<status>} events per request id, read as the database superuser. */
    private Map<String, List<String>> auditEventsOf(Set<String> requestIds) throws Exception {
        List<String> pidFile = Files.readAllLines(dataDir.resolve("postmaster.pid"));
        String url = "jdbc:postgresql://localhost:" + pidFile.get(3).strip() + "/postgres";
        Map<String, List<String>> events = new HashMap<>();
        try (Connection connection = DriverManager.getConnection(url, "postgres", "");
             PreparedStatement query = connection.prepareStatement(
                     "select request_id, kind, status from audit_event where request_id = any (?) order by seq")) {
            Array ids = connection.createArrayOf("text", requestIds.toArray());
            query.setArray(1, ids);
            try (ResultSet row = query.executeQuery()) {
                while (row.next()) {
                    String kind = row.getString("kind");
                    Object status = row.getObject("status");
                    events.computeIfAbsent(row.getString("request_id"), id -> new ArrayList<>())
                            .add(status == null ? kind : kind + ":" + status);
                }
            }
        }
        return events;
    }

    // ---- the gateway process -------------------------------------------------------------------

    private Process start(String name) throws IOException {
        gatewayLog = workDir.resolve(name + ".log");
        // postgres's own output (crash recovery on restart) goes to the log too
        List<String> command = ChildGatewayProcess.command(port, dataDir, false, "--logging.level.io.zonky.test.db.postgres=INFO");
        return new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(gatewayLog.toFile())
                .start();
    }

    private void awaitReady() throws Exception {
        long started = System.nanoTime();
        ChildGatewayProcess.awaitReady(gateway, http, uri("/"), READY_TIMEOUT, this::logTail);
        System.out.printf("GatewayCrashTest: %s gateway ready in %d ms%n", gatewayLog.getFileName(), (System.nanoTime() - started) / 1_000_000);
    }

    /** SIGKILL to the gateway and its PostgreSQL server; returns once all their processes are gone. */
    private void crash() throws Exception {
        List<ProcessHandle> victims = gatewayProcesses();
        victims.forEach(ProcessHandle::destroyForcibly); // SIGKILL on Linux
        awaitGone(victims);
        gateway = null;
    }

    /**
     * The gateway JVM, and its PostgreSQL server with all of the server's processes: the
     * postmaster is not a child of the JVM (pg_ctl started it and exited), so its pid comes from
     * the data folder. All found first, so that all can be killed at once.
     */
    private List<ProcessHandle> gatewayProcesses() {
        List<ProcessHandle> processes = new ArrayList<>();
        if (gateway != null) {
            processes.add(gateway.toHandle());
            gateway.toHandle().descendants().forEach(processes::add);
        }
        ProcessHandle postmaster = postmaster();
        if (postmaster != null) {
            processes.add(postmaster);
            postmaster.descendants().forEach(processes::add);
        }
        return processes;
    }

    private static void awaitGone(List<ProcessHandle> victims) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        for (ProcessHandle victim : victims) {
            while (victim.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(victim.isAlive()).as("process %d still alive after SIGKILL", victim.pid()).isFalse();
        }
    }

    /** The running postmaster of this test's data folder, if any. */
    private ProcessHandle postmaster() {
        long pid;
        try {
            pid = Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).getFirst().strip());
        } catch (IOException | RuntimeException none) { // no file, or one being written
            return null;
        }
        // Only a postgres process whose data folder is ours: a stale pid may belong to anything by now.
        return ProcessHandle.of(pid)
                .filter(handle -> handle.info().commandLine().map(line -> line.contains(dataDir.toString())).orElse(false))
                .orElse(null);
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(gatewayLog);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
