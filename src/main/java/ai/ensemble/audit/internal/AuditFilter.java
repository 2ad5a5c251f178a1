package ai.ensemble.audit.internal;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import ai.ensemble.audit.AuditEvent;

/**
 * What audit events are searched and exported by; every component may be null (no filter).
 * {@code from} is inclusive and {@code to} exclusive, both on {@code recorded_at}, the partition
 * key, so a time range reads only the monthly partitions it overlaps. {@code text} is full-text
 * search over the prompt and the output.
 */
public record AuditFilter(Instant from, Instant to, String subject, String role, UUID apiKeyId, String expert,
                          Integer status, AuditEvent.Kind kind, String guardrailAction, String requestId, String text) {

    /** The filters that were given, by their query-parameter names: what an access event records. */
    public Map<String, Object> given() {
        Map<String, Object> given = new LinkedHashMap<>();
        put(given, "from", from);
        put(given, "to", to);
        put(given, "subject", subject);
        put(given, "role", role);
        put(given, "apiKeyId", apiKeyId);
        put(given, "expert", expert);
        put(given, "status", status);
        put(given, "kind", kind == null ? null : kind.label());
        put(given, "guardrailAction", guardrailAction);
        put(given, "requestId", requestId);
        put(given, "q", text);
        return given;
    }

    private static void put(Map<String, Object> given, String name, Object value) {
        if (value != null) {
            given.put(name, value instanceof Integer ? value : value.toString());
        }
    }

    /** Each given filter as a condition with a bind parameter; values never become SQL text. */
    Conditions conditions() {
        Conditions conditions = new Conditions();
        conditions.add("recorded_at >= ?", from == null ? null : from.atOffset(ZoneOffset.UTC));
        conditions.add("recorded_at < ?", to == null ? null : to.atOffset(ZoneOffset.UTC));
        conditions.add("subject = ?", subject);
        // Containment rather than "= any(roles)", so that the GIN index on roles can answer it.
        conditions.add("roles @> array[cast(? as text)]", role);
        conditions.add("api_key_id = ?", apiKeyId);
        conditions.add("expert = ?", expert);
        conditions.add("status = ?", status);
        conditions.add("kind = ?", kind == null ? null : kind.label());
        conditions.add("guardrail_action = ?", guardrailAction);
        conditions.add("request_id = ?", requestId);
        conditions.add("search @@ websearch_to_tsquery('simple', ?)", text);
        return conditions;
    }
}
