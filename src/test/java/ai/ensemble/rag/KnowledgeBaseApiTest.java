package ai.ensemble.rag;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code /admin/api/kbs}: every field validated and named, readers granted as kb:<id>:read, nothing half-written. */
class KnowledgeBaseApiTest extends RagTestSupport {

    @Test
    void validatesEveryFieldAndWritesNothingOnError() {
        String admin = admin();
        createRole(admin, "kb-api-reader", "chat");
        assertError(post("/admin/api/kbs", admin, """
                {"id":"has space","name":"x"}"""), 400, "id");
        assertError(post("/admin/api/kbs", admin, """
                {"id":"kb-api-1","name":" "}"""), 400, "name");
        assertError(post("/admin/api/kbs", admin, """
                {"id":"kb-api-1","name":"Policies","chunking":{"targetChars":100}}"""), 400, "chunking.targetChars");
        assertError(post("/admin/api/kbs", admin, """
                {"id":"kb-api-1","name":"Policies","chunking":{"targetChars":400,"overlapChars":300}}"""), 400, "chunking.overlapChars");
        assertError(post("/admin/api/kbs", admin, """
                {"id":"kb-api-1","name":"Policies","defaultExperts":["demo-echo","no-such-expert"]}"""), 400, "defaultExperts[1]");
        // The role check runs after the knowledge base row is written: the transaction must undo it.
        assertError(post("/admin/api/kbs", admin, """
                {"id":"kb-api-1","name":"Policies","readRoles":["kb-api-reader","no-such-role"]}"""), 400, "readRoles");
        assertThat(jdbc.sql("select count(*) from knowledge_base where id = 'kb-api-1'").query(Long.class).single()).isZero();
        assertThat(jdbc.sql("select count(*) from role_permission where permission = 'kb:kb-api-1:read'").query(Long.class).single())
                .as("nothing half-written").isZero();

        HttpResponse<String> created = post("/admin/api/kbs", admin, """
                {"id":"kb-api-1","name":"Policies","description":"HR","readRoles":["kb-api-reader"],"defaultExperts":["demo-echo"]}""");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode kb = json(created);
        assertThat(kb.at("/readRoles/0").asString()).isEqualTo("kb-api-reader");
        assertThat(kb.at("/chunking/targetChars").asInt()).isEqualTo(1000);
        assertThat(kb.at("/chunking/overlapChars").asInt()).isEqualTo(150);
        assertThat(kb.at("/defaultExperts/0").asString()).isEqualTo("demo-echo");
        assertThat(json(get("/admin/api/roles/kb-api-reader", admin)).get("permissions").toString()).contains("kb:kb-api-1:read");
        assertError(post("/admin/api/kbs", admin, """
                {"id":"kb-api-1","name":"Again"}"""), 409, "id");

        HttpResponse<String> changed = send(HttpRequest.newBuilder(uri("/admin/api/kbs/kb-api-1"))
                .header("Authorization", "Bearer " + admin).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("""
                        {"name":"Policies v2","readRoles":[],"chunking":{"targetChars":600,"overlapChars":60}}""")));
        assertThat(changed.statusCode()).as(changed.body()).isEqualTo(200);
        assertThat(json(changed).get("readRoles").size()).isZero();
        assertThat(json(changed).at("/chunking/targetChars").asInt()).isEqualTo(600);
        assertThat(json(get("/admin/api/roles/kb-api-reader", admin)).get("permissions").toString()).doesNotContain("kb-api-1");
        assertThat(get("/admin/api/kbs", admin).body()).contains("Policies v2");

        assertThat(delete("/admin/api/kbs/kb-api-1", admin).statusCode()).isEqualTo(200);
        assertError(get("/admin/api/kbs/kb-api-1", admin), 404, "id");
    }

    @Test
    void onlyKnowledgeBaseAdministratorsManageThem() {
        HttpResponse<String> asUser = get("/admin/api/kbs", DEMO_KEY);

        assertThat(asUser.statusCode()).isEqualTo(403);
        assertThat(json(asUser).at("/error/message").asString()).contains("admin:kbs");
        assertThat(get("/admin/api/jobs/00000000-0000-0000-0000-000000000000", DEMO_KEY).statusCode()).isEqualTo(403);
        assertThat(get("/admin/api/kbs", null).statusCode()).isEqualTo(401);
        assertThat(post("/api/retrieve", null, "{\"query\":\"x\"}").statusCode()).isEqualTo(401);
    }
}
