package ai.ensemble.router;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code ensemble.router.*}. Below {@code confidenceThreshold} a query goes to
 * {@code fallbackExpert} (the generalist) when the caller may use it. A request's data
 * classification comes from the {@code X-Ensemble-Data-Classification} header, else
 * {@code defaultDataClassification}. An expert whose probe fails, or that fails
 * {@code failureThreshold} requests in a row, is skipped for {@code openDuration}.
 * {@code shadow}, when set, is a candidate threshold and fallback whose choice is recorded in the
 * audit record (and logged) next to the real one, without acting on it.
 */
@ConfigurationProperties("ensemble.router")
public record RouterSettings(
        String fallbackExpert,
        @DefaultValue("0.4") double confidenceThreshold,
        @DefaultValue("0.0001") double regularisation,
        @DefaultValue("internal") String defaultDataClassification,
        @DefaultValue("30s") Duration probeInterval,
        @DefaultValue("3") int failureThreshold,
        @DefaultValue("30s") Duration openDuration,
        @DefaultValue("10s") Duration refreshInterval,
        Shadow shadow) {

    public record Shadow(Double confidenceThreshold, String fallbackExpert) {
    }
}
