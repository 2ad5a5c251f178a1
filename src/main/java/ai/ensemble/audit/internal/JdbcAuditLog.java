package ai.ensemble.audit.internal;

import java.sql.Timestamp;

import ai.ensemble.audit.AuditEvent;
import ai.ensemble.audit.AuditLog;
import ai.ensemble.audit.AuditSettings;
import ai.ensemble.audit.AuditUnavailableException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/** One committed insert per event (auto-commit, {@code synchronous_commit} as the server says). */
@Component
class JdbcAuditLog implements AuditLog {

    private static final Logger log = LoggerFactory.getLogger(JdbcAuditLog.class);
    private static final String INSERT = """
            insert into audit_event (request_id, kind, occurred_at, subject, caller_type, roles, api_key_id,
                                     client_app, endpoint, model, expert, status, body)
            values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, cast(? as jsonb))""";

    private final JdbcTemplate jdbc;
    private final JsonMapper json;
    private final boolean failOpen;
    private final Counter lost;

    JdbcAuditLog(JdbcTemplate jdbc, JsonMapper json, AuditSettings settings, MeterRegistry meters) {
        this.jdbc = jdbc;
        this.json = json;
        this.failOpen = settings.failOpen();
        this.lost = Counter.builder("ensemble.audit.lost")
                .description("Audit events that could not be committed while the deployment runs fail-open")
                .register(meters);
    }

    @Override
    public void append(AuditEvent event) {
        String body = json.writeValueAsString(event.body());
        try {
            jdbc.update(connection -> {
                var statement = connection.prepareStatement(INSERT);
                statement.setString(1, event.requestId());
                statement.setString(2, event.kind().label());
                statement.setTimestamp(3, Timestamp.from(event.occurredAt()));
                statement.setString(4, event.subject());
                statement.setString(5, event.callerType());
                statement.setArray(6, connection.createArrayOf("text", event.roles().toArray()));
                statement.setObject(7, event.apiKeyId());
                statement.setString(8, event.clientApp());
                statement.setString(9, event.endpoint());
                statement.setString(10, event.model());
                statement.setString(11, event.expert());
                statement.setObject(12, event.status());
                statement.setString(13, body);
                return statement;
            });
        } catch (DataAccessException e) {
            if (failOpen) {
                lost.increment();
                log.error("AUDIT EVENT LOST (fail-open): {} {}", event.kind().label(), event.requestId(), e);
                return;
            }
            throw new AuditUnavailableException("The audit store could not record this request", e);
        }
    }
}
