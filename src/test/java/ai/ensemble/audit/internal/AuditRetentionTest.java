package ai.ensemble.audit.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import javax.sql.DataSource;

import ai.ensemble.audit.AuditEvent;
import ai.ensemble.audit.AuditSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Retention against a database of its own, because it drops a month that holds events, which the
 * shared test database must keep. The writer stamps events with the current time, so the older
 * months are written here the way the writer writes them (same canonical record, same chaining,
 * checked by {@link ChainVerifier} before anything is dropped); the current month is written by
 * the real writer, through the application's role, on top of them.
 */
class AuditRetentionTest {

    private static final Duration RETENTION = Duration.ofDays(400);
    private static final AuditSettings SETTINGS = new AuditSettings(false, Duration.ofSeconds(5), 100, 1000, RETENTION);

    private static EmbeddedPostgres postgres;
    private static DataSource owner;
    private static DataSource application;

    @BeforeAll
    static void database() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
        owner = postgres.getPostgresDatabase();
        JdbcClient.create(owner).sql("create role ensemble_app login password 'ensemble_app'").update();
        Flyway.configure().dataSource(owner).locations("classpath:db/migration").load().migrate();
        application = postgres.getDatabase("ensemble_app", "postgres");
    }

    @AfterAll
    static void stop() throws Exception {
        postgres.close();
    }

    private static AuditEvent event(String requestId, String text) {
        return new AuditEvent(AuditEvent.Kind.REQUEST, requestId, Instant.now(), "alice", "jwt", Set.of("user"), null, null,
                "/v1/chat/completions", "m", null, null, null, Map.of("messages", List.of(Map.of("role", "user", "content", text))));
    }

    /** Appends one event to the chain exactly as GroupCommitWriter would, but at {@code recordedAt}. */
    private static byte[] appendAt(Connection connection, long seq, Instant recordedAt, AuditEvent event, byte[] previous)
            throws Exception {
        String record = AuditRecords.canonical(seq, recordedAt, event);
        byte[] hash = AuditRecords.chain(previous, record);
        try (PreparedStatement insert = connection.prepareStatement("""
                insert into audit_event (seq, recorded_at, request_id, kind, subject, caller_type, roles, api_key_id,
                                         client_app, model, expert, status, guardrail_action, text_content, record, prev_hash, hash)
                values (?, ?, ?, ?, ?, ?, ?, null, null, ?, null, null, null, ?, ?, ?, ?)""")) {
            insert.setLong(1, seq);
            insert.setTimestamp(2, Timestamp.from(recordedAt));
            insert.setString(3, event.requestId());
            insert.setString(4, event.kind().label());
            insert.setString(5, event.subject());
            insert.setString(6, event.callerType());
            insert.setArray(7, connection.createArrayOf("text", new TreeSet<>(event.roles()).toArray()));
            insert.setString(8, event.model());
            insert.setString(9, AuditRecords.searchText(event.body()));
            insert.setString(10, record);
            insert.setBytes(11, previous);
            insert.setBytes(12, hash);
            insert.executeUpdate();
        }
        try (PreparedStatement head = connection.prepareStatement(
                "update audit_head set last_seq = ?, last_hash = ?, last_recorded_at = ?")) {
            head.setLong(1, seq);
            head.setBytes(2, hash);
            head.setTimestamp(3, Timestamp.from(recordedAt));
            head.executeUpdate();
        }
        return hash;
    }

    private static boolean partitionExists(YearMonth month) {
        return JdbcClient.create(owner).sql("select to_regclass(?) is not null")
                .param("audit_event_%d_%02d".formatted(month.getYear(), month.getMonthValue())).query(Boolean.class).single();
    }

    @Test
    void dropsExpiredMonthsAndTheChainVerifiesFromItsNewStart() throws Exception {
        Instant now = Instant.now();
        YearMonth kept = YearMonth.from(now.minus(RETENTION).atZone(ZoneOffset.UTC)); // ends after the cutoff
        YearMonth expired = kept.minusMonths(1); // ends on the 1st of the cutoff's month, before the cutoff
        JdbcClient ownerSql = JdbcClient.create(owner);
        List<byte[]> hashes = new ArrayList<>();
        try (Connection connection = owner.getConnection()) {
            for (YearMonth month : List.of(expired, kept)) {
                ownerSql.sql("select audit_ensure_partition(?)").param(month.atDay(1)).query(String.class).single();
            }
            byte[] hash = ownerSql.sql("select hash from audit_anchor where seq = 0").query(byte[].class).single();
            for (int seq = 1; seq <= 5; seq++) {
                YearMonth month = seq <= 3 ? expired : kept;
                Instant at = month.atDay(10).atStartOfDay(ZoneOffset.UTC).toInstant().plusSeconds(seq);
                hash = appendAt(connection, seq, at, event("req_old_" + seq, "old question " + seq), hash);
                hashes.add(hash);
            }
        }
        ChainedAuditLog audit = new ChainedAuditLog(application, SETTINGS, new SimpleMeterRegistry());
        ChainVerifier verifier = new ChainVerifier(application);
        try {
            audit.append(event("req_new_6", "new question"));
            audit.append(event("req_new_7", "another new question"));
            ChainVerifier.Result before = verifier.verify(null, null);
            assertThat(before.valid()).as(before.toString()).isTrue();
            assertThat(before.checked()).isEqualTo(7);

            List<YearMonth> dropped = new AuditRetention(application, audit, SETTINGS).apply(now);

            assertThat(dropped).containsExactly(expired);
            assertThat(partitionExists(expired)).isFalse();
            assertThat(partitionExists(kept)).isTrue();
            assertThat(ownerSql.sql("select count(*) from audit_event where seq <= 3").query(Long.class).single()).isZero();
            assertThat(ownerSql.sql("select hash from audit_anchor where seq = 3").query(byte[].class).single())
                    .isEqualTo(hashes.get(2));
            JsonNode record = AuditRecords.CANONICAL.readTree(ownerSql.sql(
                    "select record from audit_event where kind = 'retention'").query(String.class).single());
            assertThat(record.get("seq").asLong()).isEqualTo(8);
            assertThat(record.at("/body/dropped_month").asString()).isEqualTo(expired.toString());
            assertThat(record.at("/body/last_dropped_seq").asLong()).isEqualTo(3);
            ChainVerifier.Result after = verifier.verify(null, null);
            assertThat(after.valid()).as(after.toString()).isTrue();
            assertThat(after.fromSeq()).isEqualTo(4);
            assertThat(after.checked()).isEqualTo(5);

            // The anchor is what the new start is verified from: without it, the start is unverifiable.
            ownerSql.sql("delete from audit_anchor where seq = 3").update();
            try {
                ChainVerifier.Result unanchored = verifier.verify(null, null);
                assertThat(unanchored.valid()).isFalse();
                assertThat(unanchored.reason()).contains("no event or anchor precedes seq 4");
            } finally {
                ownerSql.sql("insert into audit_anchor (seq, month, hash) values (3, ?, ?)")
                        .params(expired.atDay(1), hashes.get(2)).update();
            }

            assertThat(new AuditRetention(application, audit, SETTINGS).apply(now)).isEmpty();
            assertThat(ownerSql.sql("select count(*) from audit_event where kind = 'retention'").query(Long.class).single())
                    .isEqualTo(1);
        } finally {
            audit.destroy();
        }
    }

    @Test
    void onlyTheApplicationRoleMayCallThePartitionFunctions() throws Exception {
        JdbcClient.create(owner).sql("create role intruder login").update();
        JdbcClient intruder = JdbcClient.create(postgres.getDatabase("intruder", "postgres"));

        assertThatThrownBy(() -> intruder.sql("select audit_drop_month('2020-01-01')").query(Long.class).optional())
                .rootCause().hasMessageContaining("permission denied for function audit_drop_month");
        assertThatThrownBy(() -> intruder.sql("select audit_ensure_partition('2020-01-01')").query(String.class).optional())
                .rootCause().hasMessageContaining("permission denied for function audit_ensure_partition");
        assertThat(JdbcClient.create(application).sql("select audit_drop_month('2001-01-01')").query(Long.class).optional())
                .isEmpty();
    }

    @Test
    void aTimeRangeReadsOnlyThePartitionsItOverlaps() throws Exception {
        YearMonth current = YearMonth.now(ZoneOffset.UTC);
        AuditFilter thisMonth = new AuditFilter(current.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant(),
                current.plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant(),
                null, null, null, null, null, null, null, null, null);
        Conditions conditions = thisMonth.conditions();
        StringBuilder plan = new StringBuilder();
        try (Connection connection = application.getConnection();
             PreparedStatement explain = connection.prepareStatement("explain " + AuditSearch.searchSql(conditions))) {
            conditions.bind(explain);
            explain.setInt(conditions.parameters().size() + 1, 50);
            try (ResultSet rows = explain.executeQuery()) {
                while (rows.next()) {
                    plan.append(rows.getString(1)).append('\n');
                }
            }
        }
        assertThat(plan).contains(partition(current));
        for (YearMonth other : List.of(current.minusMonths(1), current.plusMonths(1), current.plusMonths(2))) {
            assertThat(partitionExists(other)).isTrue();
            assertThat(plan).doesNotContain(partition(other));
        }
    }

    private static String partition(YearMonth month) {
        return "audit_event_%d_%02d".formatted(month.getYear(), month.getMonthValue());
    }
}
