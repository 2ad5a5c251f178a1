package ai.ensemble.audit.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import tools.jackson.databind.JsonNode;

/**
 * Reads the audit log for the console: summaries newest first, paged by sequence number (keyset,
 * so a page costs the same however deep it is and events committed meanwhile shift nothing), and
 * every event of one request with its full record.
 */
@Service
public class AuditSearch {

    /** One page of summaries; {@code nextCursor} is passed back as {@code cursor} for the next. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Page(List<AuditSummary> data, Long nextCursor) {
    }

    /** An event with its hashed record, parsed; hashes as lowercase hex. */
    public record RecordedEvent(long seq, Instant recordedAt, String kind, String prevHash, String hash, JsonNode record) {
    }

    private static final HexFormat HEX = HexFormat.of();

    private final JdbcClient jdbc;

    AuditSearch(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Events matching {@code filter} with a sequence number below {@code before} (all when null). */
    public Page search(AuditFilter filter, Long before, int limit) {
        Conditions conditions = filter.conditions();
        conditions.add("seq < ?", before);
        List<Object> parameters = new ArrayList<>(conditions.parameters());
        parameters.add(limit + 1); // one more than the page tells whether another page follows
        List<AuditSummary> rows = jdbc.sql(searchSql(conditions)).params(parameters)
                .query((row, n) -> AuditSummary.read(row)).list();
        if (rows.size() <= limit) {
            return new Page(rows, null);
        }
        List<AuditSummary> page = rows.subList(0, limit);
        return new Page(List.copyOf(page), page.getLast().seq());
    }

    static String searchSql(Conditions conditions) {
        return "select " + AuditSummary.COLUMNS + " from audit_event" + conditions.where() + " order by seq desc limit ?";
    }

    /** Every event recorded under {@code requestId}, in chain order; empty when there is none. */
    public List<RecordedEvent> request(String requestId) {
        return jdbc.sql("select seq, recorded_at, kind, record, prev_hash, hash from audit_event"
                        + " where request_id = ? order by seq")
                .param(requestId)
                .query((row, n) -> new RecordedEvent(row.getLong("seq"), row.getTimestamp("recorded_at").toInstant(),
                        row.getString("kind"), HEX.formatHex(row.getBytes("prev_hash")), HEX.formatHex(row.getBytes("hash")),
                        AuditRecords.CANONICAL.readTree(row.getString("record"))))
                .list();
    }
}
