package ai.ensemble.runtime;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import ai.ensemble.deploy.DashboardQueries;
import ai.ensemble.support.GatewayTest;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;

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
    void exposesTimeToFirstTokenAndTheEngineServingState() {
        HttpResponse<String> streamed = send(java.net.http.HttpRequest.newBuilder(uri("/v1/chat/completions"))
                .header("Authorization", "Bearer " + DEMO_KEY).header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("""
                        {"model":"%s","stream":true,"messages":[{"role":"user","content":"first token please"}]}"""
                        .formatted(ECHO_EXPERT))));
        assertThat(streamed.statusCode()).isEqualTo(200);
        String metrics = get("/actuator/prometheus", null).body();
        assertThat(metrics).contains("ensemble_time_to_first_token_seconds_count{expert=\"demo-echo\"}");
        // the test profile's engine expert (CPU, demo model): its queue is a gauge tagged with the expert
        assertThat(metrics).contains("ensemble_engine_waiting{expert=\"" + ENGINE_EXPERT + "\"}");
        assertThat(metrics).contains("ensemble_engine_preemptions_total{expert=\"" + ENGINE_EXPERT + "\"}");
    }

    @Test
    void otherActuatorEndpointsAreClosed() {
        assertThat(get("/actuator/env", null).statusCode()).isIn(401, 403, 404);
    }

    /** The dashboard's metric names are read from its PromQL ({@link DashboardQueries}), so a renamed meter fails here. */
    @Test
    void exportsEveryMetricTheHelmChartsDashboardAndAutoscalerRead() throws IOException {
        post("/v1/chat/completions", DEMO_KEY, chatBody(ECHO_EXPERT, "a request for the dashboard"));
        // time to first token is measured on streamed answers only
        send(java.net.http.HttpRequest.newBuilder(uri("/v1/chat/completions"))
                .header("Authorization", "Bearer " + DEMO_KEY).header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("""
                        {"model":"%s","stream":true,"messages":[{"role":"user","content":"a streamed request for the dashboard"}]}"""
                        .formatted(ECHO_EXPERT))));
        JsonNode dashboard = DashboardQueries.dashboard();
        Map<String, Object> values = new Yaml().load(Files.readString(Path.of("helm/ensemble/values.yaml")));
        @SuppressWarnings("unchecked")
        Map<String, Object> inFlight = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>)
                values.get("gateway")).get("autoscaling")).get("inFlightRequests");

        Set<String> metrics = DashboardQueries.metrics(dashboard);
        String scrape = get("/actuator/prometheus", null).body();

        assertThat(metrics).contains("ensemble_requests_total", "ensemble_tokens_total");
        assertThat(metrics).as("engine and expert panels").contains("ensemble_engine_waiting", "ensemble_engine_kv_blocks_used",
                "ensemble_time_to_first_token_seconds_bucket", "ensemble_expert_call_seconds_bucket", "ensemble_expert_retries_total");
        assertThat(metrics).allSatisfy(metric -> assertThat(scrape).as(metric).containsPattern("(?m)^" + metric + "[{ ]"));
        assertThat(scrape).containsPattern("(?m)^" + inFlight.get("name") + "[{ ]");
    }
}
