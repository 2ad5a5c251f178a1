package ai.ensemble.audit;

import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * One audit event. {@code kind} is {@code request} (who asked what, with every parameter) or
 * {@code response} (the full output, finish reason, tokens, latency, status); the audit module
 * itself adds {@code access} (someone read a record) and {@code retention} (old months dropped).
 * {@code body} is stored as JSON exactly as given; a request body's {@code messages} and a
 * response body's {@code output} are what full-text search finds. {@code routing} is the router's
 * decision for the request (expert, confidence, fallback and why, scores per expert), or null where
 * nothing was routed; it is part of the hashed record like every other field.
 */
public record AuditEvent(
        Kind kind,
        String requestId,
        Instant occurredAt,
        String subject,
        String callerType,
        Set<String> roles,
        UUID apiKeyId,
        String clientApp,
        String endpoint,
        String model,
        String expert,
        Integer status,
        String guardrailAction,
        Map<String, Object> body,
        Map<String, Object> routing) {

    /** An event without a routing decision. */
    public AuditEvent(Kind kind, String requestId, Instant occurredAt, String subject, String callerType, Set<String> roles,
                      UUID apiKeyId, String clientApp, String endpoint, String model, String expert, Integer status,
                      String guardrailAction, Map<String, Object> body) {
        this(kind, requestId, occurredAt, subject, callerType, roles, apiKeyId, clientApp, endpoint, model, expert, status,
                guardrailAction, body, null);
    }

    public enum Kind {
        REQUEST("request"), RESPONSE("response"), ACCESS("access"), RETENTION("retention");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }
}
