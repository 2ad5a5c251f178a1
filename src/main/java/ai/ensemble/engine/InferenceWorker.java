package ai.ensemble.engine;

import java.io.IOException;
import java.util.Map;

import ai.ensemble.engine.serve.WorkerServer;
import ai.ensemble.engine.serve.WorkerSettings;

/**
 * The {@code inference-worker} role's entry: opens the model the environment names and serves it
 * on the internal worker endpoint ({@link WorkerServer}), without Spring, a database or an identity
 * provider.
 */
public final class InferenceWorker {

    private InferenceWorker() {
    }

    /**
     * Starts a worker from {@code ENSEMBLE_WORKER_*} and {@code ENSEMBLE_ENGINE_*} variables; closing
     * the result stops it and closes its model.
     *
     * @throws IllegalArgumentException naming the variable that is missing or wrong
     * @throws IOException              when the model cannot be opened or the port cannot be bound
     */
    public static AutoCloseable start(Map<String, String> environment) throws IOException {
        return WorkerServer.start(WorkerSettings.fromEnvironment(environment));
    }
}
