package ai.ensemble.security;

import java.net.http.HttpResponse;
import java.time.Instant;

import ai.ensemble.support.GatewayTest;
import ai.ensemble.support.TestIssuer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Who gets in: every way a credential can be wrong ends in 401, a missing permission in 403. */
class AuthenticationMatrixTest extends GatewayTest {

    static Stream<Arguments> rejectedTokens() {
        Instant now = Instant.now();
        return Stream.of(
                Arguments.of("expired", ISSUER.token().notBefore(now.minusSeconds(600)).expiresAt(now.minusSeconds(120)).sign(), "expired"),
                Arguments.of("not yet valid", ISSUER.token().notBefore(now.plusSeconds(600)).expiresAt(now.plusSeconds(900)).sign(), "used before"),
                Arguments.of("no expiry", ISSUER.token().expiresAt(null).sign(), "exp"),
                Arguments.of("wrong issuer", ISSUER.token().issuer("https://evil.example").sign(), "issuer is not trusted"),
                Arguments.of("wrong audience", ISSUER.token().audience("another-service").sign(), "aud"),
                Arguments.of("bad signature", ISSUER.token().signedByRogueKey().sign(), "signature"),
                Arguments.of("alg none", ISSUER.token().unsigned(), "none"),
                Arguments.of("unknown key id", ISSUER.token().keyId("unknown-key").sign(), "Invalid token"),
                Arguments.of("garbage", "not-a-token", "neither an API key nor a well-formed JWT"),
                Arguments.of("unknown API key", "sk-ens-AAAAAAAAAAAABBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB", "Unknown API key"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejectedTokens")
    void rejectsInvalidCredentialWith401(String caseName, String token, String reason) {
        HttpResponse<String> response = get("/v1/models", token);

        assertThat(response.statusCode()).as(caseName).isEqualTo(401);
        assertThat(json(response).at("/error/type").asString()).isEqualTo("authentication_error");
        assertThat(json(response).at("/error/message").asString()).containsIgnoringCase(reason);
        assertThat(response.headers().firstValue("X-Request-Id")).isPresent();
    }

    @Test
    void rejectsMissingTokenWith401() {
        HttpResponse<String> response = get("/v1/models", null);

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(json(response).at("/error/code").asString()).isEqualTo("invalid_api_key");
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
    }

    @Test
    void acceptsValidTokenFromExternalIssuerAndMapsItsGroups() {
        String token = ISSUER.token().groups("/ensemble-users").sign(); // Keycloak-style full group path

        HttpResponse<String> response = get("/v1/models", token);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response).at("/data/0/id").asString()).isNotBlank();
    }

    @Test
    void acceptsTokenWithinClockSkew() {
        String token = ISSUER.token().notBefore(Instant.now().minusSeconds(300)).expiresAt(Instant.now().minusSeconds(10)).sign();

        assertThat(get("/v1/models", token).statusCode()).isEqualTo(200);
    }

    @Test
    void acceptsDevIdentityProviderClientCredentialsToken() {
        assertThat(get("/v1/models", devToken("demo-app")).statusCode()).isEqualTo(200);
    }

    @Test
    void refusesValidTokenWithoutPermissionWith403NamingThePermission() {
        String auditor = devToken("demo-auditor");

        HttpResponse<String> response = post("/v1/chat/completions", auditor, chatBody(ECHO_EXPERT, "hi"));

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(json(response).at("/error/type").asString()).isEqualTo("permission_error");
        assertThat(json(response).at("/error/message").asString()).contains("'chat'");
    }

    @Test
    void refusesUserOnAdminApiWith403() {
        HttpResponse<String> response = get("/admin/api/keys", ISSUER.token().groups("ensemble-users").sign());

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(json(response).at("/error/message").asString()).contains("admin:keys");
    }

    @Test
    void tokenWithUnmappedGroupHasNoPermissions() {
        String token = ISSUER.token().groups("some-other-group").sign();

        assertThat(get("/v1/models", token).statusCode()).isEqualTo(403);
    }

    @Test
    void devIssuerTokenIsNotAcceptedUnderAnotherIssuerName() {
        // A token the test issuer signed but that claims to come from the dev issuer: wrong key.
        String forged = ISSUER.token().issuer("http://localhost:8080").sign();

        assertThat(get("/v1/models", forged).statusCode()).isEqualTo(401);
        assertThat(TestIssuer.ISSUER).isNotEqualTo("http://localhost:8080");
    }
}
