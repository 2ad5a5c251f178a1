package ai.ensemble.audit.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.springframework.beans.factory.annotation.Autowired;
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
    // How many of the newest events a role filter reads in order before it asks the roles index.
    private static final long RECENT_WINDOW = 20_000;

    private final JdbcClient jdbc;
    private final long recentWindow;

    @Autowired
    AuditSearch(JdbcClient jdbc) {
        this(jdbc, RECENT_WINDOW);
    }

    AuditSearch(JdbcClient jdbc, long recentWindow) {
        this.jdbc = jdbc;
        this.recentWindow = recentWindow;
    }

    /**
     * Events matching {@code filter} with a sequence number below {@code before} (all when null).
     *
     * <p>A role filter runs in two steps. The planner cannot tell a role that few events carry from a
     * common one, so it walks the newest events in order, which reads the whole table when the role
     * is rare or absent (17 s at 10 million rows). So the newest {@code recentWindow} events are read
     * in order first; only when they do not fill the page is the rest fetched through the roles
     * index, with an ordering the sequence index cannot serve ({@code seq + 0}).
     */
    public Page search(AuditFilter filter, Long before, int limit) {
        if (filter.role() == null) {
            return page(rows(filter, before, null, limit + 1, false), limit);
        }
        long top = before != null ? before
                : jdbc.sql("select coalesce(max(seq), 0) + 1 from audit_event").query(Long.class).single();
        long floor = top - recentWindow;
        List<AuditSummary> rows = new ArrayList<>(rows(filter, top, floor, limit + 1, false));
        if (rows.size() <= limit && floor > 1) {
            rows.addAll(rows(filter, floor, null, limit + 1 - rows.size(), true));
        }
        return page(rows, limit);
    }

    /** One more row than the page asks for tells whether another page follows. */
    private static Page page(List<AuditSummary> rows, int limit) {
        if (rows.size() <= limit) {
            return new Page(List.copyOf(rows), null);
        }
        List<AuditSummary> page = rows.subList(0, limit);
        return new Page(List.copyOf(page), page.getLast().seq());
    }

    private List<AuditSummary> rows(AuditFilter filter, Long below, Long atLeast, int count, boolean throughIndexes) {
        Conditions conditions = filter.conditions();
        conditions.add("seq < ?", below);
        conditions.add("seq >= ?", atLeast);
        List<Object> parameters = new ArrayList<>(conditions.parameters());
        parameters.add(count);
        String sql = throughIndexes ? searchSql(conditions).replace("order by seq desc", "order by seq + 0 desc")
                : searchSql(conditions);
        return jdbc.sql(sql).params(parameters).query((row, n) -> AuditSummary.read(row)).list();
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
