package ai.ensemble.audit.internal;

import java.io.IOException;
import java.io.Writer;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How an export writes events. Both carry each event's stored record string byte for byte with
 * its prev_hash and hash, so that anyone can recompute SHA-256(prev_hash ‖ record) offline.
 */
public enum ExportFormat {

    /** One JSON object per line: seq, recorded_at, prev_hash, hash and record (a string). */
    JSONL("jsonl", "application/x-ndjson") {
        @Override
        void header(Writer out) {
        }

        @Override
        void row(Writer out, ResultSet row) throws SQLException, IOException {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("seq", row.getLong("seq"));
            line.put("recorded_at", row.getTimestamp("recorded_at").toInstant().toString());
            line.put("prev_hash", HEX.formatHex(row.getBytes("prev_hash")));
            line.put("hash", HEX.formatHex(row.getBytes("hash")));
            line.put("record", row.getString("record"));
            out.write(AuditRecords.CANONICAL.writeValueAsString(line));
            out.write('\n');
        }
    },

    /** RFC 4180: a header, then the summary columns, prev_hash, hash and record; CRLF line ends. */
    CSV("csv", "text/csv; charset=utf-8") {
        @Override
        void header(Writer out) throws IOException {
            out.write(String.join(",", CSV_COLUMNS));
            out.write("\r\n");
        }

        @Override
        void row(Writer out, ResultSet row) throws SQLException, IOException {
            AuditSummary event = AuditSummary.read(row);
            List<Object> values = Arrays.asList(event.seq(), event.recordedAt(), event.requestId(), event.kind(),
                    event.subject(), event.callerType(), String.join(";", event.roles()), event.apiKeyId(),
                    event.clientApp(), event.model(), event.expert(), event.status(), event.guardrailAction(),
                    HEX.formatHex(row.getBytes("prev_hash")), HEX.formatHex(row.getBytes("hash")), row.getString("record"));
            for (int i = 0; i < values.size(); i++) {
                if (i > 0) {
                    out.write(',');
                }
                out.write(quoted(values.get(i)));
            }
            out.write("\r\n");
        }
    };

    private static final HexFormat HEX = HexFormat.of();
    private static final DateTimeFormatter FILE_STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final List<String> CSV_COLUMNS = List.of("seq", "recorded_at", "request_id", "kind", "subject",
            "caller_type", "roles", "api_key_id", "client_app", "model", "expert", "status", "guardrail_action",
            "prev_hash", "hash", "record");

    private final String label;
    private final String mediaType;

    ExportFormat(String label, String mediaType) {
        this.label = label;
        this.mediaType = mediaType;
    }

    /** The query-parameter value and the file extension. */
    public String label() {
        return label;
    }

    public String mediaType() {
        return mediaType;
    }

    /** The download's file name for an export made at {@code at}: {@code audit-20260131T120000Z.jsonl}. */
    public String fileName(Instant at) {
        return "audit-" + FILE_STAMP.format(at.truncatedTo(ChronoUnit.SECONDS)) + "." + label;
    }

    public static Optional<ExportFormat> of(String label) {
        for (ExportFormat format : values()) {
            if (format.label.equals(label)) {
                return Optional.of(format);
            }
        }
        return Optional.empty();
    }

    abstract void header(Writer out) throws IOException;

    abstract void row(Writer out, ResultSet row) throws SQLException, IOException;

    /** RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled; null is empty. */
    static String quoted(Object value) {
        String text = value == null ? "" : value.toString();
        if (text.chars().noneMatch(c -> c == ',' || c == '"' || c == '\r' || c == '\n')) {
            return text;
        }
        return '"' + text.replace("\"", "\"\"") + '"';
    }
}
