package ai.ensemble.support;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Gateway tests against real in-process inference workers ({@link InferenceWorkers}): each test
 * registers its own {@code worker} expert through the admin API (with a real admin JWT) and deletes
 * it afterwards, so the shared context's registry stays as other tests expect it.
 */
public abstract class WorkerGatewayTest extends GatewayTest {

    private final List<String> created = new ArrayList<>();
    private String admin;

    protected String admin() {
        if (admin == null) {
            admin = devToken("demo-admin");
        }
        return admin;
    }

    /** A worker expert over {@code baseUrl}; 201 expected. */
    protected void workerExpert(String id, String baseUrl) {
        HttpResponse<String> response = post("/admin/api/experts", admin(), """
                {"id":"%s","type":"worker","baseUrl":"%s","description":"test workers","firstTokenTimeoutMs":20000}"""
                .formatted(id, baseUrl));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        created.add(id);
    }

    /** Makes the expert's pool poll its workers now (the test configuration polls only on probes). */
    protected JsonNode probe(String id) {
        HttpResponse<String> response = post("/admin/api/experts/" + id + "/probe", admin(), "{}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json(response);
    }

    @AfterEach
    void deleteWorkerExperts() {
        created.forEach(id -> delete("/admin/api/experts/" + id, admin()));
        created.clear();
    }

    /** {@code ensemble_worker_retries_total} of the expert, from the gateway's Prometheus page (0 before the first). */
    protected double retries(String expertId) {
        return get("/actuator/prometheus", null).body().lines()
                .filter(line -> line.startsWith("ensemble_worker_retries_total{") && line.contains("expert=\"" + expertId + "\""))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).findFirst().orElse(0);
    }

    protected String chat(String expertId, int maxTokens, boolean stream) {
        return """
                {"model":"%s","stream":%s,"max_tokens":%d,"temperature":0,"messages":[{"role":"user","content":"Tell me about the sea."}]}"""
                .formatted(expertId, stream, maxTokens);
    }

    protected static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
