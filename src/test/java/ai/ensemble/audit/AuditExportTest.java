package ai.ensemble.audit;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/** Exports stream every matching event with what it takes to re-verify the chain offline. */
class AuditExportTest extends AuditApiTest {

    private static final HexFormat HEX = HexFormat.of();
    private static final List<String> CSV_HEADER = List.of("seq", "recorded_at", "request_id", "kind", "subject",
            "caller_type", "roles", "api_key_id", "client_app", "model", "expert", "status", "guardrail_action",
            "prev_hash", "hash", "record");

    private static byte[] sha256(byte[]... parts) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        for (byte[] part : parts) {
            digest.update(part);
        }
        return digest.digest();
    }

    private static String chainHash(String previousHex, String record) throws Exception {
        return HEX.formatHex(sha256(HEX.parseHex(previousHex), record.getBytes(StandardCharsets.UTF_8)));
    }

    private static List<JsonNode> lines(HttpResponse<String> response) {
        return response.body().lines().map(JSON::readTree).toList();
    }

    @Test
    void jsonlExportReverifiesOfflineAndRecordsTheExportFirst() throws Exception {
        String first = chat(ECHO_EXPERT, "exported one");
        String second = chat(ECHO_EXPERT, "exported two");

        HttpResponse<String> response = audit("/export?format=jsonl");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/x-ndjson");
        assertThat(response.headers().firstValue("Content-Disposition").orElseThrow())
                .matches("attachment; filename=\"audit-\\d{8}T\\d{6}Z\\.jsonl\"");
        List<JsonNode> lines = lines(response);
        JsonNode previous = null;
        for (JsonNode line : lines) {
            String record = line.get("record").asString();
            assertThat(line.get("hash").asString()).as("seq %s", line.get("seq"))
                    .isEqualTo(chainHash(line.get("prev_hash").asString(), record));
            JsonNode hashed = JSON.readTree(record);
            assertThat(hashed.get("seq").asLong()).isEqualTo(line.get("seq").asLong());
            assertThat(hashed.get("recorded_at").asString()).isEqualTo(line.get("recorded_at").asString());
            if (previous == null) {
                if (line.get("seq").asLong() == 1) {
                    assertThat(line.get("prev_hash").asString())
                            .isEqualTo(HEX.formatHex(sha256("ensemble-audit-genesis".getBytes(StandardCharsets.UTF_8))));
                }
            } else {
                assertThat(line.get("seq").asLong()).isEqualTo(previous.get("seq").asLong() + 1);
                assertThat(line.get("prev_hash").asString()).isEqualTo(previous.get("hash").asString());
            }
            previous = line;
        }
        List<String> requestIds = lines.stream().map(line -> JSON.readTree(line.get("record").asString()))
                .map(record -> record.get("request_id").asString()).toList();
        assertThat(requestIds).contains(first, second);

        String exportId = response.headers().firstValue("X-Request-Id").orElseThrow();
        JsonNode access = JSON.readTree(lines.getLast().get("record").asString());
        assertThat(access.get("request_id").asString()).isEqualTo(exportId);
        assertThat(access.get("kind").asString()).isEqualTo("access");
        assertThat(access.get("subject").asString()).isEqualTo(auditorSubject());
        assertThat(access.at("/body/format").asString()).isEqualTo("jsonl");
    }

    @Test
    void filteredExportHoldsOnlyTheMatchingEventsOldestFirstAndRecordsTheFilters() {
        String requestId = chat(ECHO_EXPERT, "only this one");

        HttpResponse<String> response = audit("/export?requestId=" + requestId);

        assertThat(response.statusCode()).isEqualTo(200);
        List<JsonNode> lines = lines(response);
        assertThat(lines).extracting(line -> line.get("seq").asLong()).isEqualTo(seqsInDatabase(requestId));
        String exportId = response.headers().firstValue("X-Request-Id").orElseThrow();
        JsonNode access = JSON.readTree(jdbc.sql("select record from audit_event where request_id = ? and kind = 'access'")
                .param(exportId).query(String.class).single());
        assertThat(access.at("/body/filters/requestId").asString()).isEqualTo(requestId);
        assertThat(access.at("/body/format").asString()).isEqualTo("jsonl");
    }

    @Test
    void csvExportParsesAndCarriesTheSameRecordsAsJsonl() throws Exception {
        HttpResponse<String> chat = send(HttpRequest.newBuilder(uri("/v1/chat/completions"))
                .header("Authorization", "Bearer " + DEMO_KEY)
                .header("Content-Type", "application/json")
                .header("X-Client-App", "console, \"beta\"")
                .POST(HttpRequest.BodyPublishers.ofString(chatBody(ECHO_EXPERT, "He said \\\"stop, now\\\""))));
        assertThat(chat.statusCode()).isEqualTo(200);
        String requestId = chat.headers().firstValue("X-Request-Id").orElseThrow();

        HttpResponse<String> csv = audit("/export?format=csv&requestId=" + requestId);
        HttpResponse<String> jsonl = audit("/export?format=jsonl&requestId=" + requestId);

        assertThat(csv.statusCode()).isEqualTo(200);
        assertThat(csv.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/csv");
        assertThat(csv.headers().firstValue("Content-Disposition").orElseThrow())
                .matches("attachment; filename=\"audit-\\d{8}T\\d{6}Z\\.csv\"");
        List<List<String>> rows = Rfc4180.parse(csv.body());
        assertThat(rows.getFirst()).isEqualTo(CSV_HEADER);
        List<JsonNode> lines = lines(jsonl);
        assertThat(rows).hasSize(1 + lines.size());
        assertThat(lines).hasSize(2);
        for (int i = 0; i < lines.size(); i++) {
            Map<String, String> row = Rfc4180.named(CSV_HEADER, rows.get(i + 1));
            JsonNode line = lines.get(i);
            assertThat(row.get("record")).isEqualTo(line.get("record").asString());
            assertThat(row.get("hash")).isEqualTo(chainHash(row.get("prev_hash"), row.get("record")));
            assertThat(row.get("seq")).isEqualTo(line.get("seq").asString());
            assertThat(row.get("request_id")).isEqualTo(requestId);
            assertThat(row.get("client_app")).isEqualTo("console, \"beta\"");
            assertThat(row.get("roles")).isEqualTo("user");
            assertThat(row.get("caller_type")).isEqualTo("api_key");
        }
        assertThat(Rfc4180.named(CSV_HEADER, rows.get(1)).get("record")).contains("He said \\\"stop, now\\\"");
        assertThat(Rfc4180.named(CSV_HEADER, rows.get(2)).get("status")).isEqualTo("200");
    }

    @Test
    void aRefusedExportRecordsNothing() {
        long before = jdbc.sql("select count(*) from audit_event where kind = 'access'").query(Long.class).single();

        assertThat(audit("/export?format=pdf").statusCode()).isEqualTo(400);

        assertThat(jdbc.sql("select count(*) from audit_event where kind = 'access'").query(Long.class).single())
                .isEqualTo(before);
    }

    /** A strict RFC 4180 reader: quoted fields may hold commas, doubled quotes and line breaks. */
    static final class Rfc4180 {

        static List<List<String>> parse(String text) {
            List<List<String>> rows = new ArrayList<>();
            List<String> row = new ArrayList<>();
            StringBuilder field = new StringBuilder();
            boolean quoted = false;
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (quoted) {
                    if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                        field.append('"');
                        i++;
                    } else if (c == '"') {
                        quoted = false;
                    } else {
                        field.append(c);
                    }
                } else if (c == '"') {
                    assertThat(field).as("a quote may only open a field").isEmpty();
                    quoted = true;
                } else if (c == ',') {
                    row.add(field.toString());
                    field.setLength(0);
                } else if (c == '\r') {
                    assertThat(text.charAt(i + 1)).as("records end with CRLF").isEqualTo('\n');
                    row.add(field.toString());
                    field.setLength(0);
                    rows.add(row);
                    row = new ArrayList<>();
                    i++;
                } else {
                    assertThat(c).as("bare line feed outside quotes").isNotEqualTo('\n');
                    field.append(c);
                }
            }
            assertThat(quoted).as("unterminated quote").isFalse();
            assertThat(row).as("last record ends with CRLF").isEmpty();
            return rows;
        }

        static Map<String, String> named(List<String> header, List<String> row) {
            assertThat(row).hasSameSizeAs(header);
            Map<String, String> named = new java.util.LinkedHashMap<>();
            for (int i = 0; i < header.size(); i++) {
                named.put(header.get(i), row.get(i));
            }
            return named;
        }
    }
}
