package ai.ensemble.deploy;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The collector the chart, compose and Dockerfile tests rely on finds keys from every source, and only those. */
class ConfigurationKeysTest {

    private final ConfigurationKeys keys = ConfigurationKeys.ofApplication();

    @Test
    void findsKeysOfTheConfigurationPropertiesRecords() {
        assertThat(ConfigurationKeys.fromConfigurationPropertiesRecords()).contains(
                "ensemble.security.issuers[*].groups-claim",
                "ensemble.security.issuers[*].audiences[*]",
                "ensemble.experts[*].first-token-timeout",
                "ensemble.audit.fail-open");
    }

    @Test
    void findsKeysReadDirectlyInCode() {
        assertThat(ConfigurationKeys.readInCode()).contains(
                "ensemble.engine.backend", "ensemble.engine.max-waiting", "ensemble.migrate-only",
                "ensemble.embedded-postgres.enabled", "spring.datasource.url", "ensemble.role", "ensemble.worker.token-secret");
    }

    @Test
    void knowsTheVariablesTheInferenceWorkerReadsWithoutSpring() {
        assertThat(List.of("ENSEMBLE_ROLE", "ENSEMBLE_WORKER_MODEL", "ENSEMBLE_WORKER_PORT", "ENSEMBLE_WORKER_TOKEN_SECRET",
                "ENSEMBLE_ENGINE_BACKEND", "ENSEMBLE_ENGINE_MAX_WAITING")).allMatch(keys::knowsEnvironmentVariable);
        assertThat(keys.knowsEnvironmentVariable("ENSEMBLE_WORKER_MODELS")).isFalse();
    }

    @Test
    void knowsSpringBootsOwnKeys() {
        assertThat(keys.knowsProperty("spring.flyway.enabled")).isTrue();
        assertThat(keys.knowsProperty("spring.profiles.active")).isTrue();
        assertThat(keys.knowsProperty("server.port")).isTrue();
    }

    @Test
    void mapsEnvironmentVariablesTheWaySpringBootBindsThem() {
        assertThat(List.of("ENSEMBLE_SECURITY_ISSUERS_0_JWK_SET_URI", "ENSEMBLE_SECURITY_ISSUERS_12_JWKSETURI",
                "ENSEMBLE_SECURITY_ISSUERS_0_AUDIENCES_1", "ENSEMBLE_EXPERTS_3_BASE_URL", "ENSEMBLE_ENGINE_MAX_WAITING",
                "ENSEMBLE_MIGRATE_ONLY", "SPRING_DATASOURCE_PASSWORD", "ENSEMBLE_AUDIT_RETENTION"))
                .allMatch(keys::knowsEnvironmentVariable);
    }

    @Test
    void rejectsKeysTheApplicationDoesNotRead() {
        assertThat(List.of("ENSEMBLE_SECURITY_ISSUER", "ENSEMBLE_SECURITY_ISSUERS_0_GROUP_CLAIM",
                "ENSEMBLE_EXPERTS_BASE_URL", "ENSEMBLE_ENGINE_MAXWAIT", "SPRING_DATASOURCE_PASSWORDS", "ENSEMBLE_ROLES"))
                .noneMatch(keys::knowsEnvironmentVariable);
    }
}
