package ai.ensemble.support;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * What tests that run a gateway as a child process share (the crash and the database-outage tests):
 * its command line on this test JVM's class path, and the wait until it is ready.
 */
public final class ChildGatewayProcess {

    private ChildGatewayProcess() {
    }

    /**
     * The command that runs the gateway in the dev profile on {@code port}, its embedded PostgreSQL
     * in {@code dataDir} (wiped first when {@code clean}), followed by {@code extraArguments}.
     */
    public static List<String> command(int port, Path dataDir, boolean clean, String... extraArguments) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1")); // a quick start on a small machine
        // The modules and native access this test JVM got from the build (the engine's Vector API).
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(argument -> Stream.of("--add-modules=", "--enable-native-access=", "--add-opens=", "--add-exports=",
                        "--enable-preview").anyMatch(argument::startsWith))
                .forEach(command::add);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"),
                "ai.ensemble.EnsembleApplication",
                "--spring.profiles.active=dev",
                "--server.port=" + port,
                "--ensemble.embedded-postgres.data-dir=" + dataDir,
                "--ensemble.embedded-postgres.clean=" + clean,
                "--logging.level.root=WARN"));
        command.addAll(List.of(extraArguments));
        return command;
    }

    /** Waits until {@code base}'s readiness probe answers 200; fails with the log's tail if it exits or takes too long. */
    public static void awaitReady(Process process, HttpClient http, URI base, Duration timeout, Supplier<String> logTail)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpRequest readiness = HttpRequest.newBuilder(base.resolve("/actuator/health/readiness")).timeout(Duration.ofSeconds(2)).build();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("the gateway exited with " + process.exitValue() + " before it was ready:\n" + logTail.get());
            }
            try {
                if (http.send(readiness, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the gateway was not ready within " + timeout + ":\n" + logTail.get());
    }
}
