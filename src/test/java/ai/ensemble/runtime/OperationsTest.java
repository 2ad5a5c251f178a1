package ai.ensemble.runtime;

import java.net.http.HttpResponse;

import ai.ensemble.support.GatewayTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Probes and metrics that Kubernetes and Prometheus read. */
class OperationsTest extends GatewayTest {

    @Test
    void readinessIncludesTheDatabase() {
        HttpResponse<String> readiness = get("/actuator/health/readiness", null);
        HttpResponse<String> liveness = get("/actuator/health/liveness", null);

        assertThat(readiness.statusCode()).isEqualTo(200);
        assertThat(json(readiness).get("status").asString()).isEqualTo("UP");
        assertThat(liveness.statusCode()).isEqualTo(200);
    }

    @Test
    void exposesRequestAndTokenMetrics() {
        post("/v1/chat/completions", DEMO_KEY, chatBody(ECHO_EXPERT, "count these words"));

        String metrics = get("/actuator/prometheus", null).body();

        assertThat(metrics).contains("ensemble_requests_total{caller_type=\"api_key\",expert=\"demo-echo\",status=\"200\"}");
        assertThat(metrics).contains("ensemble_request_duration_seconds_bucket");
        assertThat(metrics).contains("ensemble_tokens_total{direction=\"completion\",expert=\"demo-echo\"}");
    }

    @Test
    void otherActuatorEndpointsAreClosed() {
        assertThat(get("/actuator/env", null).statusCode()).isIn(401, 403, 404);
    }
}
