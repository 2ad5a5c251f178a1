package ai.ensemble.hardening;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import ai.ensemble.support.ChildGatewayProcess;

/**
 * A whole gateway in its own JVM (profile {@code dev}: the embedded PostgreSQL server on a data
 * folder of its own, the dev identity provider, the demo experts), for faults that must not touch
 * the shared test context: its database can be stopped and started under it.
 */
final class ChildGateway implements AutoCloseable {

    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

    private final Path workDir;
    private final Path dataDir;
    private final Path log;
    private final int port;
    private final Process process;

    private ChildGateway(Path workDir, int port, Process process) {
        this.workDir = workDir;
        this.dataDir = workDir.resolve("postgres");
        this.log = workDir.resolve("gateway.log");
        this.port = port;
        this.process = process;
    }

    /** Starts a gateway on a free port with its data under {@code workDir}; returns once it is ready. */
    static ChildGateway start(Path workDir, HttpClient http) throws Exception {
        Files.createDirectories(workDir);
        int port = freePort();
        List<String> command = ChildGatewayProcess.command(port, workDir.resolve("postgres"), true);
        Process process = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(workDir.resolve("gateway.log").toFile())
                .start();
        ChildGateway gateway = new ChildGateway(workDir, port, process);
        gateway.awaitReady(http);
        return gateway;
    }

    private void awaitReady(HttpClient http) throws Exception {
        ChildGatewayProcess.awaitReady(process, http, uri("/"), READY_TIMEOUT, this::logTail);
    }

    URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    Path dataDir() {
        return dataDir;
    }

    Path workDir() {
        return workDir;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The running postmaster of this gateway's data folder, if any (read from {@code postmaster.pid}). */
    ProcessHandle postmaster() {
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

    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 80), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Kills the gateway and any PostgreSQL server on its data folder; neither outlives the test. */
    @Override
    public void close() throws InterruptedException {
        List<ProcessHandle> processes = new ArrayList<>();
        processes.add(process.toHandle());
        process.toHandle().descendants().forEach(processes::add);
        ProcessHandle postmaster = postmaster();
        if (postmaster != null) {
            processes.add(postmaster);
            postmaster.descendants().forEach(processes::add);
        }
        processes.forEach(ProcessHandle::destroyForcibly);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        for (ProcessHandle handle : processes) {
            while (handle.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
