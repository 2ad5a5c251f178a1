package ai.ensemble.runtime;

import ai.ensemble.EnsembleApplication;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Without a profile or settings, the gateway refuses to start and names what is missing. */
class RequiredSettingsTest {

    @Test
    void refusesToStartWithoutDatabaseAndIssuer() {
        assertThatThrownBy(() -> new SpringApplicationBuilder(EnsembleApplication.class).run("--server.port=0"))
                .isInstanceOf(MissingSettingsException.class)
                .hasMessageContaining("spring.datasource.url")
                .hasMessageContaining("ensemble.security.issuers[0].issuer");
    }

    @Test
    void namesOnlyTheSettingThatIsMissing() {
        assertThatThrownBy(() -> new SpringApplicationBuilder(EnsembleApplication.class)
                .run("--server.port=0", "--spring.datasource.url=jdbc:postgresql://localhost:1/none"))
                .isInstanceOf(MissingSettingsException.class)
                .hasMessageNotContaining("spring.datasource.url")
                .hasMessageContaining("ensemble.security.issuers[0].issuer");
    }

    @Test
    void migrationRunNeedsOnlyTheDatabase() {
        assertThatThrownBy(() -> new SpringApplicationBuilder(EnsembleApplication.class)
                .run("--server.port=0", "--ensemble.migrate-only=true"))
                .isInstanceOf(MissingSettingsException.class)
                .hasMessageContaining("spring.datasource.url")
                .hasMessageNotContaining("ensemble.security.issuers[0].issuer");
    }
}
