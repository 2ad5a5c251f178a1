package ai.ensemble.hardening;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import ai.ensemble.support.GatewayTest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/** Hostile chat requests over HTTP: regressions found by property tests. */
class ChatApiProperties extends GatewayTest {

    /** Found by a property test (shrunk to the empty body): Spring's own JSON settings dropped the null {@code param}. */
    @Test
    void anEmptyBodyIsRefusedWithAllFourKeysOfOpenAisErrorShape() {
        HttpResponse<String> response = chat(new byte[0]);
        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode error = json(response).path("error");
        assertThat(error.propertyNames()).containsExactly("message", "type", "param", "code");
        assertThat(error.get("param").isNull()).isTrue();
        assertThat(error.get("code").asString()).isEqualTo("invalid_value");
    }

    private HttpResponse<String> chat(byte[] body) {
        return send(HttpRequest.newBuilder(uri("/v1/chat/completions"))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + DEMO_KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }
}
