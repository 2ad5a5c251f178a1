package ai.ensemble.support;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

/**
 * Full-stack tests: the whole gateway on a random port, the real embedded PostgreSQL, the dev
 * identity provider, an external-style issuer ({@link TestIssuer}) and an upstream model server
 * (WireMock). All test classes share this one application context, which samples every request
 * and records the spans it exports ({@link RecordedSpans}).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles({"dev", "test"})
@Import(RecordedSpans.Configuration.class)
public abstract class GatewayTest {

    public static final String DEMO_KEY = "sk-ens-demo00000000devonlyquickstartkeydevonlyquickstartkey";
    public static final String UPSTREAM_EXPERT = "upstream-general";
    public static final String ECHO_EXPERT = "demo-echo";
    public static final String SECOND_ECHO_EXPERT = "echo-restricted";
    public static final String ENGINE_EXPERT = "ensemble-demo-random";

    /** The examples configuration gives {@link #SECOND_ECHO_EXPERT}. */
    public static final String[] ASTRONOMY_EXAMPLES = {
            "How far away is the Andromeda galaxy?",
            "Why does Mars look red in the night sky?",
            "What is a neutron star made of?",
            "How do astronomers measure the distance to other stars?",
            "When is the next total solar eclipse visible from Europe?",
            "What are the rings of Saturn made of?"};

    protected static final TestIssuer ISSUER = new TestIssuer();
    protected static final WireMockServer UPSTREAM = new WireMockServer(options().dynamicPort());
    protected static final JsonMapper JSON = JsonMapper.builder().build();

    static {
        UPSTREAM.start();
    }

    @DynamicPropertySource
    static void gatewaySettings(DynamicPropertyRegistry registry) {
        // Lists bind from one property source only, so both issuers and all experts are named here.
        registry.add("ensemble.security.issuers[0].issuer", () -> "http://localhost:8080");
        registry.add("ensemble.security.issuers[1].issuer", () -> TestIssuer.ISSUER);
        registry.add("ensemble.security.issuers[1].jwk-set-uri", ISSUER::jwkSetUri);
        registry.add("ensemble.experts[0].id", () -> ECHO_EXPERT);
        registry.add("ensemble.experts[0].type", () -> "echo");
        registry.add("ensemble.experts[1].id", () -> UPSTREAM_EXPERT);
        registry.add("ensemble.experts[1].type", () -> "upstream");
        registry.add("ensemble.experts[1].base-url", () -> UPSTREAM.baseUrl() + "/v1");
        registry.add("ensemble.experts[1].api-key", () -> "upstream-secret");
        registry.add("ensemble.experts[1].model", () -> "llama-test");
        registry.add("ensemble.experts[1].max-retries", () -> "1");
        registry.add("ensemble.experts[1].first-token-timeout", () -> "2s");
        registry.add("ensemble.experts[2].id", () -> SECOND_ECHO_EXPERT);
        registry.add("ensemble.experts[2].type", () -> "echo");
        registry.add("ensemble.experts[3].id", () -> ENGINE_EXPERT);
        registry.add("ensemble.experts[3].type", () -> "engine");
        registry.add("ensemble.experts[3].model", () -> "demo");
        // Configured examples are seeded with their embeddings; only this expert is trained from configuration.
        for (int i = 0; i < ASTRONOMY_EXAMPLES.length; i++) {
            int index = i;
            registry.add("ensemble.experts[2].examples[" + i + "]", () -> ASTRONOMY_EXAMPLES[index]);
        }
        registry.add("ensemble.router.fallback-expert", () -> ECHO_EXPERT);
        // A candidate configuration in shadow mode: recorded next to each decision, never acted on.
        registry.add("ensemble.router.shadow.confidence-threshold", () -> "0.99");
    }

    @LocalServerPort
    protected int port;

    /** The application's own connection (role ensemble_app: no UPDATE or DELETE on the audit log). */
    @Autowired
    protected JdbcClient jdbc;

    @Autowired
    private EmbeddedPostgres postgres;

    /** The database superuser, for acting behind the application's back. */
    protected JdbcClient superuser() {
        return JdbcClient.create(postgres.getPostgresDatabase());
    }

    protected final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    protected URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    protected HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    protected HttpResponse<String> get(String path, String bearer) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).GET();
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return send(request);
    }

    protected HttpResponse<String> post(String path, String bearer, String json) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return send(request);
    }

    protected HttpResponse<String> put(String path, String bearer, String json) {
        return send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + bearer)
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(json)));
    }

    protected HttpResponse<String> post(String path, String bearer, String contentType, String body) {
        return send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + bearer)
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    protected HttpResponse<String> delete(String path, String bearer) {
        return send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + bearer).DELETE());
    }

    /** A real access token from the dev identity provider, by {@code client_credentials}. */
    protected String devToken(String clientId) {
        String basic = Base64.getEncoder().encodeToString((clientId + ":demo-secret").getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/oauth2/token"))
                .header("Authorization", "Basic " + basic)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")));
        if (response.statusCode() != 200) {
            throw new IllegalStateException("token endpoint answered " + response.statusCode() + ": " + response.body());
        }
        return json(response).get("access_token").asString();
    }

    /** The audited outcome (the response record) of a request, waiting for it to be written. */
    protected JsonNode outcome(String requestId) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        while (Instant.now().isBefore(deadline)) {
            List<String> records = jdbc.sql("select record::text from audit_event where request_id = ? and kind = 'response'")
                    .params(requestId).query(String.class).list();
            if (!records.isEmpty()) {
                return JSON.readTree(records.getFirst());
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("no outcome was audited for " + requestId);
    }

    protected static JsonNode json(HttpResponse<String> response) {
        return JSON.readTree(response.body());
    }

    protected static String chatBody(String model, String userText) {
        return """
                {"model":"%s","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"%s"}]}"""
                .formatted(model, userText);
    }
}
