package ai.ensemble.api;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import ai.ensemble.support.GatewayTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

/** The chat API end to end: validation, experts, streaming, and the audit events of each request. */
class ChatCompletionsTest extends GatewayTest {

    @BeforeEach
    void resetUpstream() {
        UPSTREAM.resetAll();
    }

    private List<Map<String, Object>> auditEvents(String requestId) {
        return jdbc.sql("select kind, subject, caller_type, model, expert, status, record from audit_event "
                + "where request_id = ? order by seq").param(requestId).query().listOfRows();
    }

    @Test
    void answersThroughUpstreamExpertAndAuditsPromptAndOutput() {
        UpstreamStubs.answersParis(UPSTREAM);

        HttpResponse<String> response = post("/v1/chat/completions", DEMO_KEY, chatBody(UPSTREAM_EXPERT, "Capital of France?"));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = json(response);
        assertThat(body.at("/object").asString()).isEqualTo("chat.completion");
        assertThat(body.at("/model").asString()).isEqualTo(UPSTREAM_EXPERT);
        assertThat(body.at("/choices/0/message/content").asString()).isEqualTo(UpstreamStubs.ANSWER);
        assertThat(body.at("/choices/0/finish_reason").asString()).isEqualTo("stop");
        assertThat(body.at("/usage/total_tokens").asInt()).isEqualTo(17);
        assertThat(response.headers().firstValue("X-Ensemble-Expert")).hasValue(UPSTREAM_EXPERT);
        UPSTREAM.verify(postRequestedFor(urlEqualTo("/v1/chat/completions"))
                .withHeader("Authorization", equalTo("Bearer upstream-secret"))
                .withRequestBody(matchingJsonPath("$.model", equalTo("llama-test")))
                .withRequestBody(matchingJsonPath("$.messages[1].content", equalTo("Capital of France?"))));

        String requestId = response.headers().firstValue("X-Request-Id").orElseThrow();
        List<Map<String, Object>> events = auditEvents(requestId);
        assertThat(events).extracting(e -> e.get("kind")).containsExactly("request", "response");
        assertThat(events.get(0).get("subject")).isEqualTo("key:demo quick-start key");
        assertThat(events.get(0).get("caller_type")).isEqualTo("api_key");
        assertThat((String) events.get(0).get("record")).contains("Capital of France?");
        assertThat(events.get(1).get("expert")).isEqualTo(UPSTREAM_EXPERT);
        assertThat(events.get(1).get("status")).isEqualTo(200);
        assertThat((String) events.get(1).get("record")).contains(UpstreamStubs.ANSWER).contains("\"completion_tokens\":5");
    }

    @Test
    void streamsChunksEndingInDoneWithUsage() {
        UpstreamStubs.answersParis(UPSTREAM);
        String request = """
                {"model":"%s","stream":true,"stream_options":{"include_usage":true},
                 "messages":[{"role":"user","content":"Capital of France?"}]}""".formatted(UPSTREAM_EXPERT);

        HttpResponse<String> response = post("/v1/chat/completions", devToken("demo-app"), request);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
        List<String> events = response.body().lines().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6)).toList();
        assertThat(events.getLast()).isEqualTo("[DONE]");
        StringBuilder text = new StringBuilder();
        for (String event : events.subList(0, events.size() - 1)) {
            JsonNode chunk = JSON.readTree(event);
            assertThat(chunk.get("object").asString()).isEqualTo("chat.completion.chunk");
            JsonNode content = chunk.at("/choices/0/delta/content");
            if (content.isString()) {
                text.append(content.asString());
            }
        }
        assertThat(text.toString()).isEqualTo(UpstreamStubs.ANSWER);
        assertThat(JSON.readTree(events.get(0)).at("/choices/0/delta/role").asString()).isEqualTo("assistant");
        assertThat(JSON.readTree(events.get(events.size() - 3)).at("/choices/0/finish_reason").asString()).isEqualTo("stop");
        assertThat(JSON.readTree(events.get(events.size() - 2)).at("/usage/completion_tokens").asInt()).isEqualTo(5);

        String requestId = response.headers().firstValue("X-Request-Id").orElseThrow();
        assertThat(auditEvents(requestId)).extracting(e -> e.get("kind")).containsExactly("request", "response");
        assertThat(auditEvents(requestId).get(1).get("subject")).isEqualTo("demo-app");
    }

    @Test
    void upstreamFailureBeforeFirstTokenIsA502InOpenAiShapeAndAudited() {
        UpstreamStubs.fails(UPSTREAM, 500);

        HttpResponse<String> response = post("/v1/chat/completions", DEMO_KEY, chatBody(UPSTREAM_EXPERT, "hi"));

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(json(response).at("/error/message").asString()).contains("model overloaded");
        String requestId = response.headers().firstValue("X-Request-Id").orElseThrow();
        assertThat(auditEvents(requestId)).extracting(e -> e.get("status")).containsExactly(null, 502);
    }

    @Test
    void unknownModelIs404AndForbiddenExpertIs403() {
        HttpResponse<String> unknown = post("/v1/chat/completions", DEMO_KEY, chatBody("no-such-model", "hi"));
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(json(unknown).at("/error/param").asString()).isEqualTo("model");
        assertThat(json(unknown).at("/error/code").asString()).isEqualTo("model_not_found");
        assertThat(get("/v1/models/no-such-model", DEMO_KEY).statusCode()).isEqualTo(404);
    }

    @Test
    void rejectsInvalidFieldsNamingTheField() {
        Map<String, String> cases = Map.of(
                "{\"model\":42,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "model",
                "{\"model\":\"demo-echo\"}", "messages",
                "{\"model\":\"demo-echo\",\"messages\":[]}", "messages",
                "{\"model\":\"demo-echo\",\"messages\":[{\"role\":\"robot\",\"content\":\"x\"}]}", "messages[0].role",
                "{\"model\":\"demo-echo\",\"messages\":[{\"role\":\"user\"}]}", "messages[0].content",
                "{\"model\":\"demo-echo\",\"temperature\":3,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "temperature",
                "{\"model\":\"demo-echo\",\"max_tokens\":0,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "max_tokens",
                "{\"model\":\"demo-echo\",\"n\":2,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "n",
                "{\"model\":\"demo-echo\",\"stream\":\"yes\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "stream",
                "{\"model\":\"demo-echo\",\"stream_options\":{\"include_usage\":true},\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "stream_options");
        long before = jdbc.sql("select count(*) from audit_event").query(Long.class).single();

        cases.forEach((body, param) -> {
            HttpResponse<String> response = post("/v1/chat/completions", DEMO_KEY, body);
            assertThat(response.statusCode()).as(body).isEqualTo(400);
            assertThat(json(response).at("/error/param").asString()).as(body).isEqualTo(param);
            assertThat(json(response).at("/error/type").asString()).isEqualTo("invalid_request_error");
        });
        assertThat(jdbc.sql("select count(*) from audit_event").query(Long.class).single()).isEqualTo(before);
    }

    @Test
    void rejectsMalformedJsonWith400() {
        HttpResponse<String> response = post("/v1/chat/completions", DEMO_KEY, "{\"model\": \"demo-echo\", ");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).at("/error/message").asString()).contains("not valid JSON");
    }

    @Test
    void rejectsOversizedBodyWith413WhetherLengthIsDeclaredOrNot() {
        String huge = chatBody(ECHO_EXPERT, "x".repeat(1_100_000));

        HttpResponse<String> declared = post("/v1/chat/completions", DEMO_KEY, huge);
        HttpResponse<String> chunked = send(HttpRequest.newBuilder(uri("/v1/chat/completions"))
                .header("Authorization", "Bearer " + DEMO_KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(huge.getBytes()))));

        assertThat(declared.statusCode()).isEqualTo(413);
        assertThat(json(declared).at("/error/code").asString()).isEqualTo("request_too_large");
        assertThat(chunked.statusCode()).isEqualTo(413);
    }

    @Test
    void rejectsNonJsonContentTypeWith415() {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/v1/chat/completions"))
                .header("Authorization", "Bearer " + DEMO_KEY).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("hello")));

        assertThat(response.statusCode()).isEqualTo(415);
        assertThat(json(response).at("/error/type").asString()).isEqualTo("invalid_request_error");
    }

    @Test
    void assignsItsOwnRequestIdAndRecordsTheCallersOne() {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/v1/chat/completions"))
                .header("Authorization", "Bearer " + DEMO_KEY).header("Content-Type", "application/json")
                .header("X-Request-Id", "trace-1234abcd")
                .POST(HttpRequest.BodyPublishers.ofString(chatBody(ECHO_EXPERT, "traced"))));

        String requestId = response.headers().firstValue("X-Request-Id").orElseThrow();
        assertThat(requestId).startsWith("req_").isNotEqualTo("trace-1234abcd");
        assertThat(response.headers().firstValue("X-Client-Request-Id")).hasValue("trace-1234abcd");
        assertThat((String) auditEvents(requestId).getFirst().get("record")).contains("\"client_request_id\":\"trace-1234abcd\"");
    }

    @Test
    void failsClosedWith503WhenTheAuditStoreCannotCommit() {
        superuser().sql("alter table audit_event rename to audit_event_offline").update();
        try {
            HttpResponse<String> response = post("/v1/chat/completions", DEMO_KEY, chatBody(ECHO_EXPERT, "must not answer"));

            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(json(response).at("/error/code").asString()).isEqualTo("audit_unavailable");
            assertThat(response.body()).doesNotContain("must not answer");
        } finally {
            superuser().sql("alter table audit_event_offline rename to audit_event").update();
        }
    }

    @Test
    void modelsListsOnlyPermittedExperts() {
        HttpResponse<String> response = get("/v1/models", DEMO_KEY);

        assertThat(json(response).get("object").asString()).isEqualTo("list");
        assertThat(json(response).findValuesAsString("id")).containsExactlyInAnyOrder(ECHO_EXPERT, UPSTREAM_EXPERT, SECOND_ECHO_EXPERT, ENGINE_EXPERT);
    }
}
