package ai.ensemble.router;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import ai.ensemble.support.GatewayTest;
import org.junit.jupiter.api.AfterEach;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Router tests create their own experts through the admin API (ids starting {@code rt-}) and
 * delete them afterwards, so the shared context's registry is as every other test expects it.
 */
abstract class RouterTestSupport extends GatewayTest {

    static final String[] CODE = {
            "My Python function raises a KeyError when I read from the dictionary",
            "How do I reverse a linked list in Java?",
            "Fix this SQL query: the join returns duplicate rows",
            "Why does my JavaScript promise never resolve?",
            "Write a unit test for this sorting function",
            "The compiler says cannot find symbol for my variable",
            "How do I read a file line by line in Go?",
            "Explain what a null pointer exception means in my stack trace"};
    static final String[] COOKING = {
            "How long should I roast a chicken at 200 degrees?",
            "What can I use instead of eggs in a cake recipe?",
            "My bread dough did not rise, what went wrong?",
            "How do I make a creamy risotto?",
            "Which herbs go well with grilled lamb?",
            "How much salt should I add to pasta water?",
            "What is the secret to crispy roast potatoes?",
            "How do I caramelise onions without burning them?"};

    private final List<String> created = new ArrayList<>();
    private String admin;

    String admin() {
        if (admin == null) {
            admin = devToken("demo-admin");
        }
        return admin;
    }

    JsonNode createExpert(String json) {
        HttpResponse<String> response = post("/admin/api/experts", admin(), json);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        JsonNode expert = json(response);
        created.add(expert.get("id").asString());
        return expert;
    }

    /** An echo expert (it answers with the question, so no upstream is needed) trained on the given examples. */
    JsonNode echoExpert(String id, String... examples) {
        return createExpert("""
                {"id":"%s","type":"echo","description":"test expert","examples":%s}""".formatted(id, JSON.writeValueAsString(examples)));
    }

    static String jsonLines(String... texts) {
        StringBuilder lines = new StringBuilder();
        for (String text : texts) {
            lines.append(JSON.writeValueAsString(java.util.Map.of("text", text))).append('\n');
        }
        return lines.toString();
    }

    static String question(String text) {
        return """
                {"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":%s}]}"""
                .formatted(JSON.writeValueAsString(text));
    }

    JsonNode route(String bearer, String body) {
        HttpResponse<String> response = post("/api/route", bearer, body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json(response);
    }

    JsonNode auditRouting(HttpResponse<String> response) {
        String requestId = response.headers().firstValue("X-Request-Id").orElseThrow();
        String record = jdbc.sql("select record from audit_event where request_id = ? and kind = 'response'")
                .param(requestId).query(String.class).single();
        return JSON.readTree(record).get("routing");
    }

    @AfterEach
    void deleteCreatedExperts() {
        for (String id : created) {
            delete("/admin/api/experts/" + id, admin());
        }
        created.clear();
    }
}
