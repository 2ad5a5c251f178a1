package ai.ensemble.api.internal;

import java.nio.charset.StandardCharsets;
import java.util.List;

import ai.ensemble.shared.ApiException;
import ai.ensemble.support.HostileJson;
import ai.ensemble.support.PropertyCheck;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Property: whatever bytes arrive, the chat request parser returns a request or refuses it with a
 * 4xx {@link ApiException} whose message names the rule, within a second; nothing else escapes.
 * Inputs come from {@link HostileJson}; {@code -Dfuzz.tries=N} runs more of them.
 */
class ChatRequestParserPropertyTest {

    private final ChatRequestParser parser = new ChatRequestParser(JsonMapper.builder().build());
    private final HostileJson hostile = new HostileJson(List.of("m", "auto", "demo-echo"));

    @Test
    void anyBodyParsesOrIsRefusedWithAClientErrorNamingTheRule() {
        PropertyCheck.forAll("parser returns a request or a 4xx", hostile::body)
                .share(3)
                .shrinkingWith(PropertyCheck::smallerBytes)
                .describedAs(body -> PropertyCheck.abbreviate(new String(body, StandardCharsets.UTF_8)))
                .check(this::parsesOrRefusesWithinASecond);
    }

    /**
     * Found by {@code ChatApiPropertyTest} (shrunk by hand from a 3,000-character body): Jackson reads
     * and writes at most 500 levels, and the audit log writes the body inside its own record, so a
     * body of 500 levels passed here and then could not be audited, answering 503.
     */
    @Test
    void aFieldNestedDeeperThanTheLimitIsRefusedNamingIt() {
        String deep = "{\"a\":".repeat(499) + "1" + "}".repeat(499);
        ApiException refused = assertThrows(ApiException.class, () -> parser.parse(
                ("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"x_unknown\":" + deep + "}")
                        .getBytes(StandardCharsets.UTF_8)));
        assertThat(refused.error().status().value()).isEqualTo(400);
        assertThat(refused.error().param()).isEqualTo("x_unknown");
        assertThat(refused.getMessage()).contains("nested more than 64 levels");

        String allowed = "[".repeat(64) + "]".repeat(64);
        assertThat(parser.parse(("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"metadata\":" + allowed + "}")
                .getBytes(StandardCharsets.UTF_8)).parameters()).containsKey("metadata");
    }

    /** Found by the property (shrunk): an integer beyond double's range made Jackson throw instead of a 400. */
    @Test
    void aNumberBeyondDoublesRangeIsRefusedNamingTheField() {
        for (String field : List.of("temperature", "top_p", "presence_penalty", "frequency_penalty")) {
            ApiException refused = assertThrows(ApiException.class, () -> parser.parse(
                    ("{\"messages\":[{\"role\":\"user\",\"content\":\"\"}],\"" + field + "\":1" + "0".repeat(400) + "}")
                            .getBytes(StandardCharsets.UTF_8)));
            assertThat(refused.error().param()).isEqualTo(field);
        }
    }

    private void parsesOrRefusesWithinASecond(byte[] body) {
        long began = System.nanoTime();
        try {
            ChatCompletionRequest request = parser.parse(body);
            assertThat(request.expertRequest().messages()).isNotEmpty();
        } catch (ApiException refused) {
            assertThat(refused.error().status().is4xxClientError()).as(refused.getMessage()).isTrue();
            assertThat(refused.error().type()).isEqualTo("invalid_request_error");
            assertThat(refused.getMessage()).isNotBlank();
        }
        assertThat(System.nanoTime() - began).as("parse time in ns").isLessThan(1_000_000_000L);
    }
}
