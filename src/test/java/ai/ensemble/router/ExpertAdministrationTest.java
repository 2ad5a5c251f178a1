package ai.ensemble.router;

import java.net.http.HttpResponse;
import java.util.Map;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code /admin/api/experts}: CRUD and examples, validated field by field, all or nothing. */
class ExpertAdministrationTest extends RouterTestSupport {

    @Test
    void createsReadsUpdatesAndDeletesAnExpertWithoutEverShowingItsKey() {
        JsonNode created = createExpert("""
                {"id":"rt-crud","displayName":"CRUD expert","type":"upstream","baseUrl":"https://llm.example/v1","apiKey":"sk-secret",
                 "model":"big","systemPrompt":"You are terse.","contextLength":32768,"costWeight":2.5,"allowedRoles":["user"]}""");

        assertThat(created.get("apiKeySet").asBoolean()).isTrue();
        assertThat(created.toString()).doesNotContain("sk-secret");
        assertThat(created.get("dataClassification").asString()).isEqualTo("internal");
        assertThat(created.get("onPremises").asBoolean()).isFalse();
        assertThat(created.get("serving").asBoolean()).isTrue();
        assertThat(created.get("source").asString()).isEqualTo("admin");
        assertThat(json(get("/v1/models", DEMO_KEY)).findValuesAsString("id")).contains("rt-crud");

        HttpResponse<String> updated = put("/admin/api/experts/rt-crud", admin(), """
                {"displayName":"Renamed","type":"upstream","baseUrl":"https://llm.example/v1","model":"big","enabled":false}""");

        assertThat(updated.statusCode()).as(updated.body()).isEqualTo(200);
        assertThat(json(updated).get("displayName").asString()).isEqualTo("Renamed");
        assertThat(json(updated).get("apiKeySet").asBoolean()).as("the key is kept when left out").isTrue();
        assertThat(json(updated).get("serving").asBoolean()).isFalse();
        assertThat(json(get("/v1/models", DEMO_KEY)).findValuesAsString("id")).doesNotContain("rt-crud");
        assertThat(post("/v1/chat/completions", DEMO_KEY, chatBody("rt-crud", "hi")).statusCode()).isEqualTo(404);

        assertThat(delete("/admin/api/experts/rt-crud", admin()).statusCode()).isEqualTo(204);
        assertThat(get("/admin/api/experts/rt-crud", admin()).statusCode()).isEqualTo(404);
    }

    @Test
    void refusesInvalidDefinitionsNamingTheFieldAndWritesNothing() {
        Map<String, String> cases = Map.of(
                "{\"id\":\"bad id!\",\"type\":\"echo\"}", "id",
                "{\"id\":\"auto\",\"type\":\"echo\"}", "id",
                "{\"id\":\"rt-bad\",\"type\":\"echo\",\"contextLenght\":4096}", "contextLenght",
                "{\"id\":\"rt-bad\",\"type\":\"upstream\"}", "baseUrl",
                "{\"id\":\"rt-bad\",\"type\":\"robot\"}", "type",
                "{\"id\":\"rt-bad\",\"type\":\"upstream\",\"baseUrl\":\"https://cloud.example/v1\",\"dataClassification\":\"confidential\"}",
                "dataClassification",
                "{\"id\":\"rt-bad\",\"type\":\"echo\",\"allowedRoles\":[\"user\",\"Not A Role\"]}", "allowedRoles[1]",
                "{\"id\":\"rt-bad\",\"type\":\"echo\",\"examples\":[\"fine\",\"  \"]}", "examples[1]",
                "{\"id\":\"rt-bad\",\"type\":\"echo\",\"costWeight\":-1}", "costWeight",
                "{\"id\":\"rt-bad\",\"type\":\"engine\",\"model\":\"/no/such/model.gguf\"}", "model");

        cases.forEach((body, field) -> {
            HttpResponse<String> response = post("/admin/api/experts", admin(), body);
            assertThat(response.statusCode()).as(body + " -> " + response.body()).isEqualTo(400);
            assertThat(json(response).at("/error/param").asString()).as(body).isEqualTo(field);
        });
        assertThat(jdbc.sql("select count(*) from expert where id = 'rt-bad'").query(Long.class).single()).isZero();
        assertThat(jdbc.sql("select count(*) from routing_example where expert_id = 'rt-bad'").query(Long.class).single()).isZero();
    }

    @Test
    void aDuplicateIdIsAConflictAndOnlyAdminsManageExperts() {
        echoExpert("rt-twice", "one example");

        assertThat(post("/admin/api/experts", admin(), "{\"id\":\"rt-twice\",\"type\":\"echo\"}").statusCode()).isEqualTo(409);
        assertThat(post("/admin/api/experts", DEMO_KEY, "{\"id\":\"rt-user\",\"type\":\"echo\"}").statusCode()).isEqualTo(403);
        assertThat(get("/admin/api/experts", DEMO_KEY).statusCode()).isEqualTo(403);
        assertThat(post("/admin/api/router/evaluate", DEMO_KEY, "application/x-ndjson", "{}").statusCode()).isEqualTo(403);
    }

    @Test
    void examplesAreAddedAsJsonOrJsonLinesStoredWithEmbeddingsListedAndDeleted() {
        echoExpert("rt-examples");

        HttpResponse<String> asJson = post("/admin/api/experts/rt-examples/examples", admin(), """
                ["How do I sort a list?", {"text":"What is a hash map?"}]""");
        HttpResponse<String> asLines = post("/admin/api/experts/rt-examples/examples", admin(), "application/x-ndjson",
                jsonLines("What is a hash map?", "Explain recursion", "What does a compiler do?"));

        assertThat(asJson.statusCode()).as(asJson.body()).isEqualTo(201);
        assertThat(json(asJson).get("added").asInt()).isEqualTo(2);
        assertThat(json(asLines).get("added").asInt()).isEqualTo(2);
        assertThat(json(asLines).get("duplicates").asInt()).isEqualTo(1);
        assertThat(json(asLines).get("total").asInt()).isEqualTo(4);
        assertThat(jdbc.sql("select array_length(embedding, 1) from routing_example where expert_id = 'rt-examples'")
                .query(Integer.class).list()).hasSize(4).containsOnly(384);
        JsonNode listed = json(get("/admin/api/experts/rt-examples/examples", admin())).get("data");
        assertThat(listed.findValuesAsString("text")).containsExactly("How do I sort a list?", "What is a hash map?",
                "Explain recursion", "What does a compiler do?");

        long first = listed.get(0).get("id").asLong();
        assertThat(delete("/admin/api/experts/rt-examples/examples/" + first, admin()).statusCode()).isEqualTo(204);
        assertThat(delete("/admin/api/experts/rt-examples/examples/" + first, admin()).statusCode()).isEqualTo(404);
        assertThat(json(get("/admin/api/experts/rt-examples", admin())).get("examples").asInt()).isEqualTo(3);
    }

    @Test
    void aBadLineRejectsTheWholeBatchNamingTheLine() {
        echoExpert("rt-batch", "existing example");

        HttpResponse<String> response = post("/admin/api/experts/rt-batch/examples", admin(), "application/x-ndjson",
                "{\"text\":\"good one\"}\n\n{\"text\":\"another\"}\n{\"txt\":\"misspelt\"}\n");
        HttpResponse<String> notJson = post("/admin/api/experts/rt-batch/examples", admin(), "application/x-ndjson",
                "{\"text\":\"good one\"}\n{oops\n");
        HttpResponse<String> unknownExpert = post("/admin/api/experts/rt-nobody/examples", admin(), "[\"x\"]");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).at("/error/param").asString()).isEqualTo("line 4.text");
        assertThat(json(notJson).at("/error/param").asString()).isEqualTo("line 2");
        assertThat(unknownExpert.statusCode()).isEqualTo(404);
        assertThat(jdbc.sql("select count(*) from routing_example where expert_id = 'rt-batch'").query(Long.class).single())
                .isEqualTo(1);
    }
}
