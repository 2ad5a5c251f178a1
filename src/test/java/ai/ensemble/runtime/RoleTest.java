package ai.ensemble.runtime;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import ai.ensemble.engine.ServiceToken;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code ENSEMBLE_ROLE}: the roles there are, and the real entry point started as a separate process
 * in the inference-worker role (no database, no identity provider, no Spring) and with a role that
 * does not exist.
 */
class RoleTest {

    private static final String SECRET = "role-test-secret-of-at-least-32-bytes-long";

    @Test
    void knowsTheThreeRolesAndNamesTheSettingForAnyOther() {
        assertThat(Role.of(null)).isEqualTo(Role.ALL);
        assertThat(Role.of("gateway")).isEqualTo(Role.GATEWAY);
        assertThat(Role.of(" inference-worker ")).isEqualTo(Role.INFERENCE_WORKER);
        assertThatThrownBy(() -> Role.of("worker")).hasMessageContaining("ENSEMBLE_ROLE")
                .hasMessageContaining("all, gateway or inference-worker").hasMessageContaining("'worker'");
        assertThat(Role.requested("--ensemble.role=gateway")).isEqualTo(Role.GATEWAY);
    }

    private static Process start(Map<String, String> env, Path output) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"), "ai.ensemble.EnsembleApplication");
        builder.environment().keySet().removeIf(name -> name.startsWith("ENSEMBLE_") || name.startsWith("SPRING_"));
        builder.environment().putAll(env);
        builder.redirectErrorStream(true).redirectOutput(output.toFile());
        return builder.start();
    }

    @Test
    void theInferenceWorkerRoleServesTheEngineWithoutADatabaseOrIdentityProvider(@TempDir Path directory) throws Exception {
        Path output = directory.resolve("worker.log");
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Process worker = start(Map.of("ENSEMBLE_ROLE", "inference-worker", "ENSEMBLE_WORKER_PORT", Integer.toString(port),
                "ENSEMBLE_WORKER_MODEL", "ensemble-demo-random", "ENSEMBLE_ENGINE_BACKEND", "cpu",
                "ENSEMBLE_WORKER_TOKEN_SECRET", SECRET), output);
        try {
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> ready = null;
            Instant deadline = Instant.now().plusSeconds(60);
            while (Instant.now().isBefore(deadline) && worker.isAlive()) {
                try {
                    ready = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/health/ready")).build(),
                            HttpResponse.BodyHandlers.ofString());
                    break;
                } catch (IOException notYet) {
                    Thread.sleep(200);
                }
            }
            assertThat(ready).as("the worker answered before it exited").isNotNull();
            assertThat(ready.statusCode()).isEqualTo(200);
            HttpResponse<String> load = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/internal/v1/load"))
                    .header("Authorization", "Bearer " + ServiceToken.ofSecret(SECRET).sign("t", Instant.now(), Duration.ofSeconds(10)))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(load.statusCode()).isEqualTo(200);
            assertThat(load.body()).contains("\"model\":\"ensemble-demo-random\"", "\"backend\":\"cpu\"");
        } finally {
            worker.destroy();
            assertThat(worker.waitFor(20, TimeUnit.SECONDS)).isTrue();
        }
        String log = Files.readString(output);
        assertThat(log).contains("Inference worker serves ensemble-demo-random").doesNotContain("Spring", "PostgreSQL");
    }

    @Test
    void anUnknownRoleOrAMissingSecretStopsTheStartWithAClearMessage(@TempDir Path directory) throws Exception {
        for (Map<String, String> env : List.of(Map.of("ENSEMBLE_ROLE", "cook"), Map.of("ENSEMBLE_ROLE", "inference-worker"))) {
            Path log = directory.resolve(env.get("ENSEMBLE_ROLE") + ".log");
            Process process = start(env, log);
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String output = Files.readString(log);
            assertThat(process.exitValue()).as(output).isEqualTo(2);
            assertThat(output).contains(env.get("ENSEMBLE_ROLE").equals("cook")
                    ? "ensemble.role (env ENSEMBLE_ROLE) must be all, gateway or inference-worker, not 'cook'"
                    : "ENSEMBLE_WORKER_TOKEN_SECRET is required");
        }
    }
}
