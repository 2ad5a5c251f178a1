package ai.ensemble.audit.internal;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import javax.sql.DataSource;

import org.springframework.stereotype.Service;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;

/**
 * Recomputes the hash chain over a time range: sequence without gaps, each {@code prev_hash}
 * equal to the previous hash, each hash equal to SHA-256(prev_hash ‖ record), and every indexed
 * column equal to what the hashed record says. Reads with a cursor, so any range fits in memory.
 */
@Service
public class ChainVerifier {

    public record Result(boolean valid, long checked, Long firstBrokenSeq, String reason, Long fromSeq, Long toSeq) {
    }

    private static final String ROWS = """
            select seq, recorded_at, request_id, kind, subject, caller_type, roles, api_key_id, client_app, model,
                   expert, status, guardrail_action, text_content, record, prev_hash, hash
            from audit_event where seq >= ? and recorded_at >= ? and recorded_at < ? order by seq""";

    private final DataSource dataSource;

    ChainVerifier(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public Result verify(Instant from, Instant to) throws SQLException {
        Instant start = from == null ? Instant.EPOCH : from;
        Instant end = to == null ? Instant.parse("9999-01-01T00:00:00Z") : to;
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false); // a cursor needs a transaction
            connection.setReadOnly(true);
            try {
                Long first = single(connection, "select min(seq) from audit_event where recorded_at >= ? and recorded_at < ?",
                        start, end);
                if (first == null) {
                    return new Result(true, 0, null, null, null, null);
                }
                byte[] previous = previousHash(connection, first);
                if (previous == null) {
                    return new Result(false, 0, first, "no event or anchor precedes seq " + first
                            + ": the start of the range cannot be verified", first, null);
                }
                Result result = walk(connection, first, previous, start, end);
                if (result.valid() && to == null) {
                    Long head = single(connection, "select last_seq from audit_head");
                    long last = result.toSeq() == null ? first - 1 : result.toSeq();
                    if (head != null && head > last) {
                        return new Result(false, result.checked(), last + 1,
                                "events up to seq " + head + " were committed but are missing", first, last);
                    }
                }
                return result;
            } finally {
                connection.rollback();
            }
        }
    }

    private Result walk(Connection connection, long first, byte[] previous, Instant start, Instant end) throws SQLException {
        long expected = first;
        long checked = 0;
        try (PreparedStatement rows = connection.prepareStatement(ROWS)) {
            rows.setFetchSize(1000);
            rows.setLong(1, first);
            rows.setTimestamp(2, Timestamp.from(start));
            rows.setTimestamp(3, Timestamp.from(end));
            try (ResultSet row = rows.executeQuery()) {
                while (row.next()) {
                    long seq = row.getLong("seq");
                    String broken = check(row, expected, previous);
                    if (broken != null) {
                        return new Result(false, checked, seq == expected ? seq : expected, broken, first, seq);
                    }
                    previous = row.getBytes("hash");
                    expected = seq + 1;
                    checked++;
                }
            }
        }
        return new Result(true, checked, null, null, first, checked == 0 ? null : expected - 1);
    }

    private static String check(ResultSet row, long expected, byte[] previous) throws SQLException {
        long seq = row.getLong("seq");
        if (seq != expected) {
            return "sequence gap: expected seq " + expected + ", found " + seq;
        }
        if (!Arrays.equals(row.getBytes("prev_hash"), previous)) {
            return "prev_hash of seq " + seq + " is not the hash of seq " + (seq - 1);
        }
        String record = row.getString("record");
        if (!Arrays.equals(AuditRecords.chain(previous, record), row.getBytes("hash"))) {
            return "hash of seq " + seq + " does not match its record";
        }
        JsonNode hashed = AuditRecords.CANONICAL.readTree(record);
        if (hashed.get("seq").asLong() != seq) {
            return "record of seq " + seq + " names seq " + hashed.get("seq").asLong();
        }
        String column = differingColumn(row, hashed);
        return column == null ? null : "column '" + column + "' of seq " + seq + " differs from the hashed record";
    }

    private static String differingColumn(ResultSet row, JsonNode hashed) throws SQLException {
        Map<String, String> textColumns = Map.of("request_id", "request_id", "kind", "kind", "subject", "subject",
                "caller_type", "caller_type", "client_app", "client_app", "model", "model", "expert", "expert",
                "guardrail_action", "guardrail_action");
        for (Map.Entry<String, String> column : textColumns.entrySet()) {
            if (!Objects.equals(row.getString(column.getKey()), text(hashed, column.getValue()))) {
                return column.getKey();
            }
        }
        if (!row.getTimestamp("recorded_at").toInstant().toString().equals(text(hashed, "recorded_at"))) {
            return "recorded_at";
        }
        Object apiKey = row.getObject("api_key_id");
        if (!Objects.equals(apiKey == null ? null : apiKey.toString(), text(hashed, "api_key_id"))) {
            return "api_key_id";
        }
        Object status = row.getObject("status");
        JsonNode hashedStatus = hashed.get("status");
        if (!Objects.equals(status, hashedStatus == null || hashedStatus.isNull() ? null : hashedStatus.asInt())) {
            return "status";
        }
        Array roles = row.getArray("roles");
        List<String> hashedRoles = AuditRecords.CANONICAL.convertValue(hashed.get("roles"), new TypeReference<List<String>>() { });
        if (!Arrays.asList((String[]) roles.getArray()).equals(hashedRoles.stream().map(AuditRecords::column).toList())) {
            return "roles";
        }
        Map<String, Object> body = AuditRecords.CANONICAL.convertValue(hashed.get("body"), new TypeReference<Map<String, Object>>() { });
        if (!row.getString("text_content").equals(AuditRecords.searchText(body))) {
            return "text_content";
        }
        return null;
    }

    private static String text(JsonNode record, String field) {
        JsonNode value = record.get(field);
        return value == null || value.isNull() ? null : AuditRecords.column(value.asString());
    }

    private static byte[] previousHash(Connection connection, long first) throws SQLException {
        for (String sql : List.of("select hash from audit_event where seq = ?", "select hash from audit_anchor where seq = ?")) {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setLong(1, first - 1);
                try (ResultSet result = statement.executeQuery()) {
                    if (result.next()) {
                        return result.getBytes(1);
                    }
                }
            }
        }
        return null;
    }

    private static Long single(Connection connection, String sql, Object... parameters) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setTimestamp(i + 1, Timestamp.from((Instant) parameters[i]));
            }
            try (ResultSet result = statement.executeQuery()) {
                return result.next() ? (Long) result.getObject(1) : null;
            }
        }
    }
}
