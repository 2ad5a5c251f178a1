package ai.ensemble.security;

import java.net.http.HttpResponse;
import java.time.Instant;

import ai.ensemble.support.GatewayTest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/** API keys for service accounts: issued once, stored hashed, revocable, expiring. */
class ApiKeysTest extends GatewayTest {

    private JsonNode issue(String admin, String body) {
        HttpResponse<String> response = post("/admin/api/keys", admin, body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return json(response);
    }

    @Test
    void issuedKeyAuthenticatesAndIsShownOnlyOnce() {
        String admin = devToken("demo-admin");
        JsonNode issued = issue(admin, """
                {"name":"reporting-service","roles":["user"]}""");
        String key = issued.get("key").asString();

        assertThat(key).startsWith("sk-ens-").hasSize(59);
        assertThat(issued.get("owner").asString()).isEqualTo("demo-admin");
        assertThat(get("/v1/models", key).statusCode()).isEqualTo(200);

        HttpResponse<String> listed = get("/admin/api/keys", admin);
        assertThat(listed.body()).contains("reporting-service").doesNotContain(key);
        byte[] stored = jdbc.sql("select secret_sha256 from api_key where id = ?::uuid")
                .param(issued.get("id").asString()).query(byte[].class).single();
        assertThat(stored).hasSize(32);
        assertThat(new String(stored, java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain(key.substring(19));
    }

    @Test
    void revokedKeyIsRejectedOnTheNextRequest() {
        String admin = devToken("demo-admin");
        JsonNode issued = issue(admin, """
                {"name":"to-revoke","roles":["user"]}""");
        String key = issued.get("key").asString();
        assertThat(get("/v1/models", key).statusCode()).isEqualTo(200);

        HttpResponse<String> revoked = delete("/admin/api/keys/" + issued.get("id").asString(), admin);

        assertThat(revoked.statusCode()).isEqualTo(200);
        assertThat(json(revoked).get("revokedAt").isNull()).isFalse();
        HttpResponse<String> after = get("/v1/models", key);
        assertThat(after.statusCode()).isEqualTo(401);
        assertThat(json(after).at("/error/message").asString()).contains("revoked");
    }

    @Test
    void expiredKeyIsRejected() {
        String admin = devToken("demo-admin");
        JsonNode issued = issue(admin, """
                {"name":"short-lived","roles":["user"],"expiresAt":"%s"}""".formatted(Instant.now().plusSeconds(3600)));
        String key = issued.get("key").asString();
        assertThat(get("/v1/models", key).statusCode()).isEqualTo(200);
        // Let the hour pass: move the expiry into the past behind the application's back.
        jdbc.sql("update api_key set expires_at = now() - interval '1 second' where id = ?::uuid")
                .param(issued.get("id").asString()).update();

        HttpResponse<String> after = get("/v1/models", key);

        assertThat(after.statusCode()).isEqualTo(401);
        assertThat(json(after).at("/error/message").asString()).contains("expired");
    }

    @Test
    void keyWithTamperedSecretIsRejected() {
        String key = issue(devToken("demo-admin"), """
                {"name":"tamper","roles":["user"]}""").get("key").asString();
        String tampered = key.substring(0, key.length() - 1) + (key.endsWith("A") ? "B" : "A");

        assertThat(get("/v1/models", tampered).statusCode()).isEqualTo(401);
    }

    @Test
    void refusesUnknownRoleNamingTheFieldAndWritesNothing() {
        String admin = devToken("demo-admin");
        long before = jdbc.sql("select count(*) from api_key").query(Long.class).single();

        HttpResponse<String> response = post("/admin/api/keys", admin, """
                {"name":"bad","roles":["user","no-such-role"]}""");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).at("/error/param").asString()).isEqualTo("roles[1]");
        assertThat(jdbc.sql("select count(*) from api_key").query(Long.class).single()).isEqualTo(before);
    }

    @Test
    void refusesExpiryInThePast() {
        HttpResponse<String> response = post("/admin/api/keys", devToken("demo-admin"), """
                {"name":"past","roles":["user"],"expiresAt":"2020-01-01T00:00:00Z"}""");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).at("/error/param").asString()).isEqualTo("expiresAt");
    }

    @Test
    void refusesMissingName() {
        HttpResponse<String> response = post("/admin/api/keys", devToken("demo-admin"), """
                {"roles":["user"]}""");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).at("/error/param").asString()).isEqualTo("name");
    }

    @Test
    void revokingUnknownKeyIs404() {
        HttpResponse<String> response = delete("/admin/api/keys/8d0a4f8e-0000-4000-8000-000000000000", devToken("demo-admin"));

        assertThat(response.statusCode()).isEqualTo(404);
    }
}
