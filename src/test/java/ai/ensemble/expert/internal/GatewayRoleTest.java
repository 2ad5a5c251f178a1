package ai.ensemble.expert.internal;

import java.time.Duration;
import java.util.List;

import ai.ensemble.expert.ExpertDefinition;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Configured experts that cannot run in this role stop the start, naming the expert and the fix. */
class GatewayRoleTest {

    private static ExpertDefinition expert(String id, String type, String baseUrl) {
        return new ExpertDefinition(id, null, "", type, baseUrl, null, "demo", Duration.ofSeconds(5), Duration.ofSeconds(60),
                Duration.ofSeconds(300), 2, 8192);
    }

    private static final String SECRET = "a-secret-of-at-least-thirty-two-bytes!!";

    @Test
    void refusesEngineExpertsInTheGatewayRole() {
        List<ExpertDefinition> experts = List.of(expert("w", "worker", "http://w:8080"), expert("local", "engine", null));
        assertThatThrownBy(() -> DefaultExpertFactory.checkConfigured(experts, "gateway", SECRET))
                .hasMessageContaining("ensemble.experts[1] ('local') is an engine expert, but ensemble.role is gateway");
        assertThatCode(() -> DefaultExpertFactory.checkConfigured(experts, "all", SECRET)).doesNotThrowAnyException();
    }

    @Test
    void refusesToStartTheGatewayWhenTheWorkerRoleWasSetWhereTheStartCannotSeeIt() {
        assertThatThrownBy(() -> DefaultExpertFactory.checkConfigured(List.of(), "inference-worker", SECRET))
                .hasMessageContaining("set it as ENSEMBLE_ROLE in the environment");
    }

    @Test
    void refusesWorkerExpertsWithoutAUsableTokenSecret() {
        List<ExpertDefinition> experts = List.of(expert("w", "worker", "http://w:8080"));
        for (String secret : new String[] {"", "too-short"}) {
            assertThatThrownBy(() -> DefaultExpertFactory.checkConfigured(experts, "gateway", secret))
                    .hasMessageContaining("ensemble.worker.token-secret (env ENSEMBLE_WORKER_TOKEN_SECRET)")
                    .hasMessageContaining("at least 32 bytes");
        }
        assertThatCode(() -> DefaultExpertFactory.checkConfigured(List.of(expert("e", "echo", null)), "gateway", ""))
                .doesNotThrowAnyException();
    }
}
