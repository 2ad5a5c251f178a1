package ai.ensemble.audit;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import ai.ensemble.support.GatewayTest;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/** Full-stack tests of the audit endpoints: what an auditor (permission audit:read) sees. */
abstract class AuditApiTest extends GatewayTest {

    private String auditorToken;

    protected String auditor() {
        if (auditorToken == null) {
            auditorToken = devToken("demo-auditor");
        }
        return auditorToken;
    }

    /** The {@code sub} of the auditor's token: who access events must name. */
    protected String auditorSubject() {
        String payload = auditor().split("\\.")[1];
        return JSON.readTree(Base64.getUrlDecoder().decode(payload)).get("sub").asString();
    }

    protected HttpResponse<String> audit(String pathAndQuery) {
        return get("/admin/api/audit" + pathAndQuery, auditor());
    }

    protected JsonNode ok(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json(response);
    }

    /** A chat request through the real API as the demo key's {@code user}; returns its request id. */
    protected String chat(String model, String userText) {
        HttpResponse<String> response = post("/v1/chat/completions", DEMO_KEY, chatBody(model, userText));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response.headers().firstValue("X-Request-Id").orElseThrow();
    }

    /** A word no other test writes, so full-text and equality filters find only this test's events. */
    protected static String unique(String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    }

    protected static String encoded(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    protected static List<Long> seqs(JsonNode page) {
        List<Long> seqs = new ArrayList<>();
        page.get("data").forEach(item -> seqs.add(item.get("seq").asLong()));
        return seqs;
    }

    protected List<Long> seqsInDatabase(String requestId) {
        return jdbc.sql("select seq from audit_event where request_id = ? order by seq").param(requestId)
                .query(Long.class).list();
    }
}
