package ai.ensemble.audit.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import ai.ensemble.audit.AuditEvent;
import ai.ensemble.audit.AuditLog;
import ai.ensemble.audit.AuditSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Keeps {@code ensemble.audit.retention} of history: drops each monthly partition whose whole
 * month ended before now − retention, through {@code audit_drop_month} (which first anchors the
 * month's last hash, so the chain stays verifiable from its new start), and records each drop as
 * a {@code retention} event. Also creates the partitions for this month and the next two.
 */
@Component
public class AuditRetention {

    private static final Logger log = LoggerFactory.getLogger(AuditRetention.class);
    // One replica at a time, so that two never drop the same month or record it twice.
    private static final long RETENTION_LOCK = 0x656e732d72657465L; // "ens-rete"
    private static final Pattern PARTITION = Pattern.compile("audit_event_(\\d{4})_(\\d{2})");
    private static final String PARTITIONS = """
            select child.relname from pg_inherits
            join pg_class child on child.oid = pg_inherits.inhrelid
            where pg_inherits.inhparent = 'audit_event'::regclass""";

    private final DataSource dataSource;
    private final AuditLog audit;
    private final AuditSettings settings;

    AuditRetention(DataSource dataSource, AuditLog audit, AuditSettings settings) {
        if (!settings.retention().isPositive()) {
            throw new IllegalArgumentException("ensemble.audit.retention must be positive, was " + settings.retention());
        }
        this.dataSource = dataSource;
        this.audit = audit;
        this.settings = settings;
    }

    @Scheduled(cron = "0 17 3 * * *", zone = "UTC")
    void daily() throws SQLException {
        apply(Instant.now());
    }

    /**
     * Runs retention as of {@code now}; returns the months dropped, oldest first (none when another
     * replica is running it). Stops at the first month whose retention event cannot be committed.
     */
    public List<YearMonth> apply(Instant now) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            if (!lock(connection, "select pg_try_advisory_lock(?)")) {
                log.info("Audit retention is running elsewhere; skipped");
                return List.of();
            }
            try {
                YearMonth current = YearMonth.from(now.atZone(ZoneOffset.UTC));
                for (int ahead = 0; ahead <= 2; ahead++) {
                    call(connection, "select audit_ensure_partition(?)", current.plusMonths(ahead));
                }
                List<YearMonth> dropped = new ArrayList<>();
                for (YearMonth month : expired(connection, now.minus(settings.retention()))) {
                    Long lastSeq = call(connection, "select audit_drop_month(?)", month);
                    audit.append(dropEvent(month, lastSeq));
                    log.info("Audit retention dropped {} (last seq {})", month, lastSeq);
                    dropped.add(month);
                }
                return dropped;
            } finally {
                lock(connection, "select pg_advisory_unlock(?)");
            }
        }
    }

    /** Months with a partition that ends, at midnight UTC of the next month's first day, by {@code cutoff}. */
    private static List<YearMonth> expired(Connection connection, Instant cutoff) throws SQLException {
        Set<YearMonth> months = new TreeSet<>();
        try (PreparedStatement statement = connection.prepareStatement(PARTITIONS);
             ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                Matcher name = PARTITION.matcher(rows.getString(1));
                if (name.matches()) {
                    months.add(YearMonth.of(Integer.parseInt(name.group(1)), Integer.parseInt(name.group(2))));
                }
            }
        }
        return months.stream()
                .filter(month -> !month.plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant().isAfter(cutoff))
                .toList();
    }

    private static AuditEvent dropEvent(YearMonth month, Long lastSeq) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("dropped_month", month.toString());
        body.put("last_dropped_seq", lastSeq); // null when the month held no events
        return new AuditEvent(AuditEvent.Kind.RETENTION, "retention_" + month, Instant.now(), "ensemble:audit-retention",
                "system", Set.of(), null, null, null, null, null, null, null, body);
    }

    private static Long call(Connection connection, String sql, YearMonth month) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setObject(1, month.atDay(1));
            try (ResultSet result = statement.executeQuery()) {
                result.next();
                Object value = result.getObject(1);
                return value instanceof Long seq ? seq : null;
            }
        }
    }

    private static boolean lock(Connection connection, String sql) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setLong(1, RETENTION_LOCK);
            try (ResultSet result = statement.executeQuery()) {
                return result.next() && result.getBoolean(1);
            }
        }
    }
}
