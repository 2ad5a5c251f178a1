package ai.ensemble.engine.serve;

import java.net.URI;
import java.util.Map;
import java.util.UUID;

import ai.ensemble.engine.LocalModel;
import ai.ensemble.engine.ServiceToken;
import ai.ensemble.engine.demo.DemoModel;

/**
 * How the {@code inference-worker} role runs, read from the environment (no Spring here):
 * {@code ENSEMBLE_WORKER_MODEL} (a model folder, a .gguf file, {@code demo} or
 * {@code ensemble-demo-random}), {@code ENSEMBLE_WORKER_PORT} (8080), {@code ENSEMBLE_ENGINE_BACKEND}
 * ({@code auto}), {@code ENSEMBLE_ENGINE_MAX_WAITING} (16) and {@code ENSEMBLE_WORKER_TOKEN_SECRET}
 * (required, at least 32 bytes); {@code ENSEMBLE_WORKER_OTLP_ENDPOINT} (the OpenTelemetry collector's
 * OTLP/HTTP endpoint, the same value as the gateway's; unset: the worker exports no spans).
 *
 * @param otlpEndpoint    where sampled spans are posted ({@code .../v1/traces}), or null
 * @param serviceInstance the worker's {@code service.instance.id}: {@code HOSTNAME} (the pod name) or a random id
 */
public record WorkerSettings(String model, int port, String backend, int maxWaiting, String tokenSecret, URI otlpEndpoint,
                             String serviceInstance) {

    /** @throws IllegalArgumentException naming the variable that is missing or wrong */
    public static WorkerSettings fromEnvironment(Map<String, String> env) {
        String model = env.getOrDefault("ENSEMBLE_WORKER_MODEL", "demo").strip();
        if (model.isEmpty() || model.equals(DemoModel.NAME)) {
            model = "demo";
        }
        int port = integer(env, "ENSEMBLE_WORKER_PORT", 8080, 1, 65535);
        String backend = env.getOrDefault("ENSEMBLE_ENGINE_BACKEND", "auto").strip();
        if (!backend.equals("auto") && !backend.equals("cpu") && !backend.equals("cuda")) {
            throw new IllegalArgumentException("ENSEMBLE_ENGINE_BACKEND must be auto, cpu or cuda, not '" + backend + "'");
        }
        int maxWaiting = integer(env, "ENSEMBLE_ENGINE_MAX_WAITING", LocalModel.Options.DEFAULT_MAX_WAITING, 0, 1_000_000);
        String secret = env.get("ENSEMBLE_WORKER_TOKEN_SECRET");
        if (secret == null || secret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length < ServiceToken.MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("ENSEMBLE_WORKER_TOKEN_SECRET is required: the secret the gateway signs its "
                    + "service tokens with, at least " + ServiceToken.MIN_SECRET_BYTES + " bytes");
        }
        URI otlpEndpoint = null;
        String endpoint = env.get("ENSEMBLE_WORKER_OTLP_ENDPOINT");
        if (endpoint != null && !endpoint.isBlank()) {
            try {
                otlpEndpoint = OtlpExporter.tracesUrl(endpoint);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("ENSEMBLE_WORKER_OTLP_ENDPOINT " + e.getMessage() + ", not '" + endpoint + "'");
            }
        }
        String hostname = env.get("HOSTNAME");
        String instance = hostname == null || hostname.isBlank() ? UUID.randomUUID().toString() : hostname.strip();
        return new WorkerSettings(model, port, backend, maxWaiting, secret, otlpEndpoint, instance);
    }

    private static int integer(Map<String, String> env, String name, int fallback, int min, int max) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            int parsed = Integer.parseInt(value.strip());
            if (parsed >= min && parsed <= max) {
                return parsed;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(name + " must be an integer from " + min + " to " + max + ", not '" + value + "'");
    }

    @Override
    public String toString() {
        return "WorkerSettings[model=" + model + ", port=" + port + ", backend=" + backend + ", maxWaiting=" + maxWaiting
                + ", otlpEndpoint=" + otlpEndpoint + "]";
    }
}
