package ai.ensemble.audit.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import ai.ensemble.audit.AuditEvent;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The canonical form of an event, which is what gets hashed and stored: JSON with keys sorted at
 * every level, no whitespace. {@code hash = SHA-256(prev_hash ‖ canonical record)}.
 */
final class AuditRecords {

    static final JsonMapper CANONICAL = JsonMapper.builder()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();

    private AuditRecords() {
    }

    static String canonical(long seq, Instant recordedAt, AuditEvent event) {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("seq", seq);
        record.put("recorded_at", recordedAt.toString());
        record.put("occurred_at", event.occurredAt().toString());
        record.put("kind", event.kind().label());
        record.put("request_id", event.requestId());
        record.put("subject", event.subject());
        record.put("caller_type", event.callerType());
        record.put("roles", new TreeSet<>(event.roles()));
        record.put("api_key_id", event.apiKeyId() == null ? null : event.apiKeyId().toString());
        record.put("client_app", event.clientApp());
        record.put("endpoint", event.endpoint());
        record.put("model", event.model());
        record.put("expert", event.expert());
        record.put("status", event.status());
        record.put("guardrail_action", event.guardrailAction());
        record.put("body", event.body());
        if (event.routing() != null) {
            // Only routed events carry the key, so the records of every other kind keep their form.
            record.put("routing", event.routing());
        }
        return CANONICAL.writeValueAsString(record);
    }

    /** The text full-text search sees: the prompt's messages, or the output. */
    @SuppressWarnings("unchecked")
    static String searchText(Map<String, Object> body) {
        List<String> parts = new ArrayList<>();
        if (body.get("output") instanceof String output) {
            parts.add(output);
        }
        if (body.get("messages") instanceof Collection<?> messages) {
            for (Object message : messages) {
                if (message instanceof Map<?, ?> map && map.get("content") != null) {
                    Object content = map.get("content");
                    if (content instanceof Collection<?> pieces) {
                        for (Object piece : pieces) {
                            if (piece instanceof Map<?, ?> part && part.get("text") instanceof String text) {
                                parts.add(text);
                            }
                        }
                    } else {
                        parts.add(String.valueOf(content));
                    }
                }
            }
        }
        return column(String.join("\n", parts));
    }

    /**
     * A value as a text column holds it: PostgreSQL text cannot store U+0000, so it becomes U+FFFD
     * there, while the hashed record keeps the exact value (escaped in its JSON). Without this a NUL
     * in a prompt made the whole audit batch fail and the request was refused with 503.
     */
    static String column(String value) {
        return value == null ? null : value.replace('\u0000', '\uFFFD');
    }

    static byte[] chain(byte[] previousHash, String record) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update(previousHash);
            sha256.update(record.getBytes(StandardCharsets.UTF_8));
            return sha256.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
