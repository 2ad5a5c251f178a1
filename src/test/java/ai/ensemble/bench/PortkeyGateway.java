package ai.ensemble.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Portkey's open-source gateway ({@code @portkey-ai/gateway}, Node) as a child process, the peer in
 * the side-by-side latency run: it forwards to the same stub upstream as an OpenAI-compatible
 * provider ({@code x-portkey-provider: openai}, {@code x-portkey-custom-host}). It does no
 * authentication, RBAC, guardrails or audit of its own here.
 *
 * <p>Install it once with {@code npm install @portkey-ai/gateway@1.15.2} in a folder of your choice and
 * pass {@code -Dbench.portkey=<folder>/node_modules/@portkey-ai/gateway/build/start-server.js}.
 */
final class PortkeyGateway implements AutoCloseable {

    private final Process process;
    private final int port;

    private PortkeyGateway(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static PortkeyGateway start(Path startServer) throws IOException, InterruptedException {
        if (!Files.isRegularFile(startServer)) {
            throw new IllegalArgumentException("no Portkey start-server.js at " + startServer
                    + " (npm install @portkey-ai/gateway@1.15.2, then point -Dbench.portkey at build/start-server.js)");
        }
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        Process process = new ProcessBuilder("node", startServer.toString(), "--port=" + port, "--headless")
                .redirectErrorStream(true)
                .redirectOutput(Path.of("target", "bench", "portkey.log").toFile())
                .start();
        PortkeyGateway gateway = new PortkeyGateway(process, port);
        try (HttpClient http = HttpClient.newHttpClient()) {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("Portkey exited with " + process.exitValue() + "; see target/bench/portkey.log");
                }
                try {
                    HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                            .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.discarding());
                    if (response.statusCode() < 500) {
                        return gateway;
                    }
                } catch (IOException notYet) {
                    // not listening yet
                }
                Thread.sleep(200);
            }
        }
        gateway.close();
        throw new IllegalStateException("Portkey did not answer on port " + port + " within 60 s");
    }

    /** The chat request through Portkey to the stub: the same body, Portkey's routing headers. */
    HttpRequest chat(int stubPort, String body, Duration timeout) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer not-checked")
                .header("x-portkey-provider", "openai")
                .header("x-portkey-custom-host", "http://127.0.0.1:" + stubPort + "/v1")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
