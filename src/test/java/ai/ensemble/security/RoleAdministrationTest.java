package ai.ensemble.security;

import java.net.http.HttpResponse;

import ai.ensemble.support.GatewayTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Custom roles and group mappings made through the admin API govern the next request. */
class RoleAdministrationTest extends GatewayTest {

    @Test
    void customRoleAndGroupMappingTakeEffectAtOnce() {
        String admin = devToken("demo-admin");
        String analyst = ISSUER.token().subject("dana").groups("finance-analysts").sign();
        HttpResponse<String> before = get("/v1/models", analyst);
        assertThat(before.statusCode()).as(before.body()).isEqualTo(403);

        HttpResponse<String> created = post("/admin/api/roles", admin, """
                {"name":"analyst","description":"Finance analysts","permissions":["chat","expert:%s"]}""".formatted(ECHO_EXPERT));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(post("/admin/api/group-mappings", admin, """
                {"group":"finance-analysts","role":"analyst"}""").statusCode()).isEqualTo(201);

        HttpResponse<String> models = get("/v1/models", analyst);
        assertThat(models.statusCode()).isEqualTo(200);
        assertThat(json(models).get("data")).hasSize(1);
        assertThat(json(models).at("/data/0/id").asString()).isEqualTo(ECHO_EXPERT);
        assertThat(post("/v1/chat/completions", analyst, chatBody(ECHO_EXPERT, "hello")).statusCode()).isEqualTo(200);
        HttpResponse<String> other = post("/v1/chat/completions", analyst, chatBody(SECOND_ECHO_EXPERT, "hello"));
        assertThat(other.statusCode()).isEqualTo(403);
        assertThat(json(other).at("/error/message").asString()).contains("expert:" + SECOND_ECHO_EXPERT);

        HttpResponse<String> unmapped = delete("/admin/api/group-mappings?group=finance-analysts&role=analyst", admin);
        assertThat(unmapped.statusCode()).isEqualTo(204);
        assertThat(get("/v1/models", analyst).statusCode()).isEqualTo(403);
    }

    @Test
    void changingPermissionsOfARoleTakesEffect() {
        String admin = devToken("demo-admin");
        assertThat(post("/admin/api/roles", admin, """
                {"name":"temp-role","permissions":["chat"]}""").statusCode()).isEqualTo(201);
        post("/admin/api/group-mappings", admin, """
                {"group":"temp-group","role":"temp-role"}""");
        String member = ISSUER.token().groups("temp-group").sign();
        assertThat(json(get("/v1/models", member)).get("data")).isEmpty();

        HttpResponse<String> updated = send(java.net.http.HttpRequest.newBuilder(uri("/admin/api/roles/temp-role"))
                .header("Authorization", "Bearer " + admin).header("Content-Type", "application/json")
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("""
                        {"permissions":["chat","expert:*"]}""")));

        assertThat(updated.statusCode()).isEqualTo(200);
        assertThat(json(get("/v1/models", member)).get("data").size()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void refusesMalformedPermissionNamingTheIndex() {
        HttpResponse<String> response = post("/admin/api/roles", devToken("demo-admin"), """
                {"name":"broken","permissions":["chat","launch:missiles"]}""");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).at("/error/param").asString()).isEqualTo("permissions[1]");
        assertThat(jdbc.sql("select count(*) from role where name = 'broken'").query(Long.class).single()).isZero();
    }

    @Test
    void builtInRoleCannotBeDeleted() {
        HttpResponse<String> response = delete("/admin/api/roles/admin", devToken("demo-admin"));

        assertThat(response.statusCode()).isEqualTo(409);
    }

    @Test
    void duplicateRoleIsAConflict() {
        String admin = devToken("demo-admin");
        post("/admin/api/roles", admin, """
                {"name":"twice","permissions":[]}""");

        assertThat(post("/admin/api/roles", admin, """
                {"name":"twice","permissions":[]}""").statusCode()).isEqualTo(409);
    }
}
