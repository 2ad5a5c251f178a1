package ai.ensemble.expert;

import java.net.http.HttpResponse;
import java.util.List;

import ai.ensemble.support.GatewayTest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/** The engine serves an expert inside the gateway: the demo model answers through the whole pipeline. */
class EngineExpertTest extends GatewayTest {

    private static String request(boolean stream, int maxTokens, String text) {
        return """
                {"model":"%s","stream":%s,"max_tokens":%d,"temperature":0,
                 "messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"%s"}]}"""
                .formatted(ENGINE_EXPERT, stream, maxTokens, text);
    }

    @Test
    void listsTheDemoModelAsServedByTheEngine() {
        JsonNode model = json(get("/v1/models/" + ENGINE_EXPERT, DEMO_KEY));

        assertThat(model.get("owned_by").asString()).isEqualTo("ensemble-engine:cpu");
        assertThat(model.get("context_length").asInt()).isPositive();
    }

    @Test
    void answersWithTheEnginesTokenCountsAndIsAudited() {
        HttpResponse<String> response = post("/v1/chat/completions", DEMO_KEY, request(false, 12, "Say hello"));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = json(response);
        assertThat(body.at("/usage/prompt_tokens").asInt()).isGreaterThan(10); // chat template + bytes of the text
        assertThat(body.at("/usage/completion_tokens").asInt()).isBetween(1, 12);
        assertThat(body.at("/choices/0/finish_reason").asString()).isIn("stop", "length");
        String requestId = response.headers().firstValue("X-Request-Id").orElseThrow();
        assertThat(jdbc.sql("select count(*) from audit_event where request_id = ?").param(requestId).query(Long.class).single())
                .isEqualTo(2);
    }

    @Test
    void greedyAnswersAreDeterministicAndStreamTheSameText() {
        String first = json(post("/v1/chat/completions", DEMO_KEY, request(false, 16, "Count to three"))).at("/choices/0/message/content").asString();
        String again = json(post("/v1/chat/completions", DEMO_KEY, request(false, 16, "Count to three"))).at("/choices/0/message/content").asString();
        HttpResponse<String> streamed = post("/v1/chat/completions", DEMO_KEY, request(true, 16, "Count to three"));

        assertThat(again).isEqualTo(first);
        List<String> events = streamed.body().lines().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6)).toList();
        assertThat(events.getLast()).isEqualTo("[DONE]");
        StringBuilder text = new StringBuilder();
        for (String event : events.subList(0, events.size() - 1)) {
            JsonNode content = JSON.readTree(event).at("/choices/0/delta/content");
            if (content.isString()) {
                text.append(content.asString());
            }
        }
        assertThat(text.toString()).isEqualTo(first);
    }

    @Test
    void promptLongerThanTheContextIsA400() {
        String longText = "word ".repeat(60_000);

        HttpResponse<String> response = post("/v1/chat/completions", DEMO_KEY, request(false, 4, longText));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).at("/error/code").asString()).isEqualTo("context_length_exceeded");
    }
}
