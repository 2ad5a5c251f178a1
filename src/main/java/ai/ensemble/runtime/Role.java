package ai.ensemble.runtime;

import java.util.Arrays;

import org.springframework.core.env.SimpleCommandLinePropertySource;
import org.springframework.core.env.StandardEnvironment;

/**
 * What this process runs ({@code ensemble.role}, env {@code ENSEMBLE_ROLE}): {@code all} (the
 * default: gateway and engine in one process), {@code gateway} (API, security, policy, routing, RAG,
 * audit, console; models run on inference workers, so {@code engine} experts are refused) or
 * {@code inference-worker} (the engine behind its internal endpoint, without Spring, a database or
 * an identity provider). Decided before Spring starts, so it is read from the command line, system
 * properties and environment variables, not from application.yml.
 */
public enum Role {
    ALL("all"), GATEWAY("gateway"), INFERENCE_WORKER("inference-worker");

    public static final String PROPERTY = "ensemble.role";

    private final String value;

    Role(String value) {
        this.value = value;
    }

    public String value() {
        return value;
    }

    /** @throws IllegalArgumentException naming the setting and the roles there are */
    public static Role of(String value) {
        String wanted = value == null || value.isBlank() ? "all" : value.strip();
        return Arrays.stream(values()).filter(r -> r.value.equals(wanted)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(PROPERTY + " (env ENSEMBLE_ROLE) must be all, gateway or "
                        + "inference-worker, not '" + wanted + "'"));
    }

    /** The role asked for on the command line, in a system property or in the environment. */
    public static Role requested(String... args) {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new SimpleCommandLinePropertySource(args));
        return of(environment.getProperty("ensemble.role"));
    }
}
