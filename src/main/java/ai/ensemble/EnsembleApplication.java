package ai.ensemble;

import java.util.concurrent.CountDownLatch;

import ai.ensemble.engine.InferenceWorker;
import ai.ensemble.runtime.MigrationRun;
import ai.ensemble.runtime.Role;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * Starts what {@link Role} asks for: the gateway (roles {@code all} and {@code gateway}) through
 * Spring, or, in the {@code inference-worker} role, the engine's {@link InferenceWorker} alone.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class EnsembleApplication {

    public static void main(String[] args) throws Exception {
        if (MigrationRun.requested(args)) {
            System.exit(MigrationRun.migrate(args));
        }
        Role role;
        try {
            role = Role.requested(args);
        } catch (IllegalArgumentException e) {
            System.err.println("Ensemble cannot start: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (role == Role.INFERENCE_WORKER) {
            runWorker();
            return;
        }
        SpringApplication.run(EnsembleApplication.class, args);
    }

    /** The inference worker: settings from ENSEMBLE_WORKER_* and ENSEMBLE_ENGINE_*; runs until the process is stopped. */
    private static void runWorker() throws Exception {
        AutoCloseable worker;
        try {
            worker = InferenceWorker.start(System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("Ensemble's inference worker cannot start: " + e.getMessage());
            System.exit(2);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                worker.close();
            } catch (Exception e) {
                System.err.println("Stopping the inference worker failed: " + e);
            }
            stopped.countDown();
        }, "worker-shutdown"));
        stopped.await();
    }
}
