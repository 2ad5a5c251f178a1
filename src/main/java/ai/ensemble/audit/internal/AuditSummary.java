package ai.ensemble.audit.internal;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One audit event without its prompt or output: what a search lists. Reading the text itself
 * is an access that gets audited ({@code GET /admin/api/audit/{requestId}}); listing is not.
 */
@JsonInclude(JsonInclude.Include.ALWAYS) // absent values show as null, so every row has the same keys
public record AuditSummary(long seq, Instant recordedAt, String requestId, String kind, String subject,
                           String callerType, List<String> roles, UUID apiKeyId, String clientApp, String model,
                           String expert, Integer status, String guardrailAction) {

    static final String COLUMNS = "seq, recorded_at, request_id, kind, subject, caller_type, roles, api_key_id,"
            + " client_app, model, expert, status, guardrail_action";

    static AuditSummary read(ResultSet row) throws SQLException {
        return new AuditSummary(row.getLong("seq"), row.getTimestamp("recorded_at").toInstant(),
                row.getString("request_id"), row.getString("kind"), row.getString("subject"),
                row.getString("caller_type"), roles(row.getArray("roles")), row.getObject("api_key_id", UUID.class),
                row.getString("client_app"), row.getString("model"), row.getString("expert"),
                row.getObject("status", Integer.class), row.getString("guardrail_action"));
    }

    private static List<String> roles(Array roles) throws SQLException {
        return roles == null ? List.of() : List.of((String[]) roles.getArray());
    }
}
