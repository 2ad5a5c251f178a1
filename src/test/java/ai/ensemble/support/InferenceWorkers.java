package ai.ensemble.support;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import ai.ensemble.engine.LocalModel;
import ai.ensemble.engine.ServiceToken;
import ai.ensemble.engine.serve.WorkerServer;

/**
 * Real inference workers in the test JVM: each its own demo model on the CPU behind a
 * {@link WorkerServer} on a free port, sharing the token secret the test configuration gives the
 * gateway. {@link #kill} stops one at once, dropping its open connections, as a crashed pod would.
 */
public final class InferenceWorkers implements AutoCloseable {

    /** {@code ensemble.worker.token-secret} in application-test.yml. */
    public static final String SECRET = "test-worker-token-secret-of-at-least-32-bytes";
    public static final ServiceToken TOKENS = ServiceToken.ofSecret(SECRET);

    private final List<LocalModel> models = new ArrayList<>();
    private final List<WorkerServer> servers = new ArrayList<>();
    private final List<Boolean> running = new ArrayList<>();

    public InferenceWorkers(int count) throws Exception {
        this(count, null);
    }

    /** Workers that export their spans to the OTLP/HTTP {@code otlpEndpoint} (null: none). */
    public InferenceWorkers(int count, String otlpEndpoint) throws Exception {
        this(count, otlpEndpoint, null);
    }

    /**
     * Workers whose streams give at most one token per {@code tokenInterval} (null: unpaced), so that
     * a test can act while an answer is still being generated however fast the machine is.
     */
    public InferenceWorkers(int count, String otlpEndpoint, java.time.Duration tokenInterval) throws Exception {
        for (int i = 0; i < count; i++) {
            LocalModel model = LocalModel.open("demo", new LocalModel.Options("cpu", 4, true));
            models.add(model);
            servers.add(tokenInterval != null ? WorkerServer.startPaced(model, TOKENS, 0, tokenInterval)
                    : otlpEndpoint == null ? WorkerServer.start(model, TOKENS, 0) : WorkerServer.start(model, TOKENS, 0, otlpEndpoint));
            running.add(true);
        }
    }

    public WorkerServer get(int index) {
        return servers.get(index);
    }

    public String url(int index) {
        return "http://localhost:" + servers.get(index).port();
    }

    /** Every worker's URL, comma-separated: a worker expert's {@code baseUrl}. */
    public String baseUrl() {
        return servers.stream().map(s -> "http://localhost:" + s.port()).collect(Collectors.joining(","));
    }

    public void kill(int index) {
        servers.get(index).close();
        running.set(index, false);
    }

    @Override
    public void close() throws Exception {
        for (int i = 0; i < servers.size(); i++) {
            if (running.get(i)) {
                servers.get(i).close();
            }
            models.get(i).close();
        }
    }
}
