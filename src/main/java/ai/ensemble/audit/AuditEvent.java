package ai.ensemble.audit;

import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * One audit event. {@code kind} is {@code request} (who asked what, with every parameter) or
 * {@code response} (the full output, finish reason, tokens, latency, status). {@code body} is
 * stored as JSON exactly as given.
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
        Map<String, Object> body) {

    public enum Kind {
        REQUEST("request"), RESPONSE("response");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }
}
