package ai.ensemble.runtime;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Prints the missing settings as a readable start-up failure instead of a stack trace. */
class MissingSettingsFailureAnalyzer extends AbstractFailureAnalyzer<MissingSettingsException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, MissingSettingsException cause) {
        StringBuilder description = new StringBuilder("Ensemble has no configuration for:\n");
        cause.missing().forEach(setting -> description.append("  - ").append(setting).append('\n'));
        return new FailureAnalysis(description.toString(),
                "Set them (see README: Configuration), or run the embedded developer setup with "
                        + "--spring.profiles.active=dev (./mvnw spring-boot:run does).",
                cause);
    }
}
