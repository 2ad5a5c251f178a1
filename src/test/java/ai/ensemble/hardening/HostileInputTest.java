package ai.ensemble.hardening;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import ai.ensemble.support.GatewayTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile bodies and headers on the chat endpoint: each gets a clear 4xx in OpenAI's error shape
 * (naming the field where there is one), never a 5xx, and leaves nothing half-written — no audited
 * request without its audited outcome.
 */
class HostileInputTest extends GatewayTest {

    private long requestsBefore;

    @BeforeEach
    void countAudit() {
        requestsBefore = unansweredRequests();
    }

    @AfterEach
    void nothingHalfWritten() {
        assertThat(unansweredRequests()).as("audited requests without an audited outcome").isEqualTo(requestsBefore);
    }

    private long unansweredRequests() {
        return jdbc.sql("""
                select count(*) from audit_event q where q.kind = 'request'
                and not exists (select 1 from audit_event r where r.kind = 'response' and r.request_id = q.request_id)""")
                .query(Long.class).single();
    }

    private HttpResponse<String> chat(byte[] body) {
        return send(HttpRequest.newBuilder(uri("/v1/chat/completions"))
                .header("Authorization", "Bearer " + DEMO_KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    private static void assertClientError(HttpResponse<String> response, int status, String param) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(json(response).at("/error/type").asString()).isEqualTo("invalid_request_error");
        if (param != null) {
            assertThat(json(response).at("/error/param").asString()).isEqualTo(param);
        }
    }

    @Test
    void aRefusalReachesAClientThatAcceptsOnlyEventStreamsAsJson() {
        HttpResponse<String> refused = send(HttpRequest.newBuilder(uri("/v1/chat/completions"))
                .header("Authorization", "Bearer " + DEMO_KEY)
                .header("Content-Type", "application/json")
                .header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + ECHO_EXPERT + "\",\"stream\":true,\"messages\":[]}")));
        assertClientError(refused, 400, "messages");
        assertThat(refused.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/json");
    }

    @Test
    void deeplyNestedJsonIsA400() {
        String nested = "[".repeat(100_000) + "]".repeat(100_000);
        assertClientError(chat(("{\"model\":\"" + ECHO_EXPERT + "\",\"messages\":" + nested + "}").getBytes(StandardCharsets.UTF_8)), 400, null);
    }

    @Test
    void invalidUtf8IsA400() {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("{\"model\":\"" + ECHO_EXPERT + "\",\"messages\":[{\"role\":\"user\",\"content\":\"").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(new byte[] {(byte) 0xC3, (byte) 0x28, (byte) 0xFF, (byte) 0xFE});
        body.writeBytes("\"}]}".getBytes(StandardCharsets.UTF_8));
        assertClientError(chat(body.toByteArray()), 400, null);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "\"max_tokens\":1000000000000|max_tokens",
            "\"max_tokens\":-5|max_tokens",
            "\"max_tokens\":2.5|max_tokens",
            "\"temperature\":-1|temperature",
            "\"temperature\":NaN|",
            "\"temperature\":\"hot\"|temperature",
            "\"top_p\":1e309|",
            "\"n\":3|n",
            "\"stream\":\"yes\"|stream"})
    void outOfRangeParametersAre400sNamingTheField(String parameter, String param) {
        String body = "{\"model\":\"" + ECHO_EXPERT + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]," + parameter + "}";
        assertClientError(chat(body.getBytes(StandardCharsets.UTF_8)), 400, param);
    }

    /** The gateway gives models no tools (excessive agency): asking for them is refused, naming the field. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"delete_all\",\"parameters\":{}}}]|tools",
            "\"tool_choice\":\"required\"|tool_choice",
            "\"functions\":[{\"name\":\"send_mail\",\"parameters\":{}}]|functions",
            "\"function_call\":{\"name\":\"send_mail\"}|function_call"})
    void toolsAndFunctionCallingAreRefusedNamingTheField(String parameter, String param) {
        String body = "{\"model\":\"" + ECHO_EXPERT + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]," + parameter + "}";
        HttpResponse<String> response = chat(body.getBytes(StandardCharsets.UTF_8));
        assertClientError(response, 400, param);
        assertThat(json(response).at("/error/message").asString()).contains("not supported");
    }

    @Test
    void thousandsOfMessagesAreA400() {
        String messages = IntStream.range(0, 5000).mapToObj(i -> "{\"role\":\"user\",\"content\":\"m" + i + "\"}")
                .collect(Collectors.joining(",", "[", "]"));
        assertClientError(chat(("{\"model\":\"" + ECHO_EXPERT + "\",\"messages\":" + messages + "}").getBytes(StandardCharsets.UTF_8)),
                400, "messages");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"{\"model\":null,\"messages\":[]}", "[]", "\"just a string\"", "{\"model\":\"x\",\"messages\":{}}",
            "{\"model\":\"x\",\"messages\":[{\"role\":\"user\",\"content\":{\"nested\":true}}]}", "{\"model\":\"x\"", ""})
    void malformedBodiesAre400s(String body) {
        HttpResponse<String> response = chat(body.getBytes(StandardCharsets.UTF_8));
        assertThat(response.statusCode()).as(body + " -> " + response.body()).isEqualTo(400);
        assertThat(json(response).at("/error/message").asString()).isNotBlank();
    }

    @Test
    void aHostileClientRequestIdIsNotEchoed() {
        for (String hostile : new String[] {"x".repeat(5000), "abc def", "id\u00e9", "<script>"}) {
            HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/v1/models"))
                    .header("Authorization", "Bearer " + DEMO_KEY)
                    .header("X-Request-Id", hostile)
                    .GET());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("X-Client-Request-Id")).as(hostile).isEmpty();
            assertThat(response.headers().firstValue("X-Request-Id")).hasValueSatisfying(id -> assertThat(id).startsWith("req_"));
        }
    }

    @Test
    void aWrongContentTypeIsA415AndAnUnknownFieldIsAccepted() {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/v1/chat/completions"))
                .header("Authorization", "Bearer " + DEMO_KEY)
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("{}")));
        assertThat(response.statusCode()).isEqualTo(415);
        HttpResponse<String> extra = chat(("{\"model\":\"" + ECHO_EXPERT + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                + "\"some_future_field\":{\"a\":[1,2,3]}}").getBytes(StandardCharsets.UTF_8));
        assertThat(extra.statusCode()).as(extra.body()).isEqualTo(200);
    }

    /** A body trickled a byte at a time is cut off with 408 once the read timeout (8 s in tests) has passed. */
    @Test
    void aSlowLorisBodyIsRefusedWith408() throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            java.io.OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + DEMO_KEY
                    + "\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            long started = System.nanoTime();
            java.io.InputStream in = socket.getInputStream();
            String status = null;
            for (int i = 0; i < 400 && status == null; i++) {
                try {
                    out.write('{');
                    out.flush();
                } catch (java.io.IOException closed) {
                    break; // the server gave up on us
                }
                Thread.sleep(250);
                if (in.available() > 0) {
                    status = new java.io.BufferedReader(new java.io.InputStreamReader(in, StandardCharsets.US_ASCII)).readLine();
                }
            }
            if (status == null) {
                status = new java.io.BufferedReader(new java.io.InputStreamReader(in, StandardCharsets.US_ASCII)).readLine();
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            assertThat(status).as("after %.1f s", seconds).startsWith("HTTP/1.1 408");
            assertThat(seconds).as("refused once the timeout passed, not at once").isGreaterThan(7);
        }
    }
}
