package ai.ensemble.hardening;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import ai.ensemble.support.GatewayTest;
import ai.ensemble.support.HostileJson;
import ai.ensemble.support.PropertyCheck;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Property over HTTP: whatever body a client posts to the chat endpoint (from {@link HostileJson}),
 * the gateway never answers 5xx, answers every 4xx as JSON in OpenAI's error shape naming (where it
 * names one) a field the client sent, answers within a bounded time, and leaves no audited request
 * without its audited outcome. The upstream expert
 * answers (WireMock), so that a request the router sends there may succeed; the property runs as a
 * plain JUnit test driving generated bodies, inside the shared Spring context.
 */
class ChatApiPropertyTest extends GatewayTest {

    private static final String UPSTREAM_ANSWER = """
            data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":"ok"},"finish_reason":null}]}

            data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}

            data: [DONE]

            """;

    private static final String KNOWLEDGE_BASE = "hostile-kb";
    private static final Set<String> CHAT_FIELDS = Set.of("model", "messages", "stream", "stream_options", "n", "logprobs",
            "max_tokens", "max_completion_tokens", "temperature", "top_p", "stop", "seed", "presence_penalty", "frequency_penalty",
            "user", "kbs", "tools", "tool_choice", "functions", "function_call", "audio", "modalities", "prediction");

    private final AtomicInteger groundedAnswers = new AtomicInteger();
    private final HostileJson hostile = new HostileJson(List.of(ECHO_EXPERT, SECOND_ECHO_EXPERT, UPSTREAM_EXPERT, "auto", "no-such-expert"),
            List.of(KNOWLEDGE_BASE));

    @Test
    void noBodyGetsA5xxAndEveryRefusalIsAnOpenAiErrorWithNothingHalfWritten() throws InterruptedException {
        groundingKnowledgeBase();
        long unansweredBefore = unansweredRequests();
        StubMapping upstream = UPSTREAM.stubFor(WireMock.post(urlEqualTo("/v1/chat/completions"))
                .willReturn(aResponse().withHeader("Content-Type", "text/event-stream").withBody(UPSTREAM_ANSWER)));
        try {
            PropertyCheck.forAll("chat API answers no 5xx and refuses in OpenAI's shape", hostile::body)
                    .share(2)
                    .shrinkingWith(PropertyCheck::smallerBytes)
                    .describedAs(body -> PropertyCheck.abbreviate(new String(body, StandardCharsets.UTF_8)))
                    .check(this::answersWithoutServerErrors);
        } finally {
            UPSTREAM.removeStub(upstream);
        }
        assertThat(settledUnansweredRequests(unansweredBefore)).as("audited requests without an audited outcome").isEqualTo(unansweredBefore);
        // The generator must reach past validation, into routing, experts and retrieval, or the property says little.
        assertThat(groundedAnswers.get()).as("answers to requests grounded in the knowledge base").isPositive();
    }

    /** A knowledge base every caller may read, with one document, so that grounded requests reach retrieval. */
    private void groundingKnowledgeBase() {
        String admin = devToken("demo-admin");
        if (get("/admin/api/kbs/" + KNOWLEDGE_BASE, admin).statusCode() == 404) {
            HttpResponse<String> created = post("/admin/api/kbs", admin, """
                    {"id":"%s","name":"Hostile input","description":"chat API property","readRoles":[],"chunking":{"targetChars":400,"overlapChars":80}}"""
                    .formatted(KNOWLEDGE_BASE));
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            HttpResponse<String> document = post("/admin/api/kbs/" + KNOWLEDGE_BASE + "/documents", admin, """
                    {"externalId":"soup","title":"Soup","text":"Tomato soup is made from tomatoes and served on Fridays."}""");
            assertThat(document.statusCode()).as(document.body()).isBetween(200, 202);
        }
    }

    /** Found by the property (shrunk to the empty body): Spring's own JSON settings dropped the null {@code param}. */
    @Test
    void anEmptyBodyIsRefusedWithAllFourKeysOfOpenAisErrorShape() {
        HttpResponse<String> response = chat(new byte[0]);
        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode error = json(response).path("error");
        assertThat(error.propertyNames()).containsExactly("message", "type", "param", "code");
        assertThat(error.get("param").isNull()).isTrue();
        assertThat(error.get("code").asString()).isEqualTo("invalid_value");
    }

    /** Found by the property: a body 500 levels deep (Jackson's limit) was read, then could not be written into the audit log (503). */
    @Test
    void aBodyNestedDeeperThanTheAuditLogCanWriteIsA400NamingTheField() throws InterruptedException {
        long unansweredBefore = unansweredRequests();
        String deep = "{\"a\":".repeat(499) + "1" + "}".repeat(499);
        HttpResponse<String> response = chat(("{\"model\":\"" + ECHO_EXPERT + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                + "\"x_unknown\":" + deep + "}").getBytes(StandardCharsets.UTF_8));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(json(response).at("/error/param").asString()).isEqualTo("x_unknown");
        assertThat(settledUnansweredRequests(unansweredBefore)).isEqualTo(unansweredBefore);
    }

    /**
     * Found by the property (shrunk counterexample as sent): PostgreSQL text cannot hold U+0000, so
     * the audit batch failed and the client got 503; the columns now hold U+FFFD, the record the NUL.
     */
    @Test
    void aNulCharacterInAPromptIsAuditedAndAnswered() {
        HttpResponse<String> response = chat("{\"\":\"\",\"messages\":[{\"role\":\"assistant\",\"\":\"\",\"content\":[{\"type\":\"text\",\"text\":\"\\u0000\"}]}],\"\":null}"
                .getBytes(StandardCharsets.UTF_8));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        String requestId = response.headers().firstValue("X-Request-Id").orElseThrow();
        assertThat(jdbc.sql("select text_content from audit_event where request_id = ? and kind = 'request'").param(requestId)
                .query(String.class).single()).isEqualTo("\uFFFD");
        assertThat(jdbc.sql("select record from audit_event where request_id = ? and kind = 'request'").param(requestId)
                .query(String.class).single()).contains("\\u0000");
        HttpResponse<String> unknownModel = chat(("{\"model\":\"demo\\u0000echo\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .getBytes(StandardCharsets.UTF_8));
        assertThat(unknownModel.statusCode()).as(unknownModel.body()).isEqualTo(404);
        HttpResponse<String> verified = get("/admin/api/audit/verify", devToken("demo-auditor"));
        assertThat(json(verified).get("valid").asBoolean()).as(verified.body()).isTrue();
        // The dashboard's statistics read the records as JSON: a NUL escape must not break them for everyone.
        java.time.Instant to = java.time.Instant.now().plusSeconds(60);
        java.time.Instant from = to.minus(java.time.Duration.ofHours(1));
        assertThat(auditReview.totals(from, to, null).requests()).isPositive();
        assertThat(auditReview.series(from, to, java.time.Duration.ofMinutes(1), null)).isNotNull();
        for (ai.ensemble.audit.AuditReview.Dimension by : ai.ensemble.audit.AuditReview.Dimension.values()) {
            assertThat(auditReview.breakdown(from, to, by, null)).as(by.name()).isNotNull();
        }
    }

    @org.springframework.beans.factory.annotation.Autowired
    private ai.ensemble.audit.AuditReview auditReview;

    private HttpResponse<String> chat(byte[] body) {
        return send(HttpRequest.newBuilder(uri("/v1/chat/completions"))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + DEMO_KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    private void answersWithoutServerErrors(byte[] body) {
        HttpResponse<String> response = chat(body);
        int status = response.statusCode();
        assertThat(status).as(response.body()).isLessThan(500);
        if (status >= 400) {
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
            JsonNode error = json(response).path("error");
            assertThat(error.path("message").asString("")).as(response.body()).isNotBlank();
            assertThat(error.path("type").asString("")).as(response.body()).isNotBlank();
            assertThat(error.has("param") && error.has("code")).as(response.body()).isTrue();
            String param = error.path("param").asString("");
            if (!param.isEmpty()) { // a chat request's field (perhaps one left out) or one the client sent, never the gateway's own
                String field = param.split("[\\[.]")[0];
                assertThat(CHAT_FIELDS.contains(field) || new String(body, StandardCharsets.UTF_8).contains("\"" + field + "\""))
                        .as("param '%s' of %s", param, response.body()).isTrue();
            }
        } else {
            assertThat(status).as(response.body()).isEqualTo(200);
            if (new String(body, StandardCharsets.UTF_8).contains("\"kbs\":[\"" + KNOWLEDGE_BASE + "\"]")) {
                groundedAnswers.incrementAndGet();
            }
        }
    }

    /** The count of audited requests without an outcome, once streamed answers have had time to record theirs. */
    private long settledUnansweredRequests(long expected) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        long count = unansweredRequests();
        while (count != expected && System.nanoTime() < deadline) {
            Thread.sleep(100);
            count = unansweredRequests();
        }
        return count;
    }

    private long unansweredRequests() {
        return jdbc.sql("""
                select count(*) from audit_event q where q.kind = 'request'
                and not exists (select 1 from audit_event r where r.kind = 'response' and r.request_id = q.request_id)""")
                .query(Long.class).single();
    }
}
