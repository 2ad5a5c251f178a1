package ai.ensemble.audit.web;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

import ai.ensemble.audit.AuditEvent;
import ai.ensemble.audit.internal.AuditFilter;
import ai.ensemble.audit.internal.ExportFormat;
import ai.ensemble.shared.ApiError;
import org.springframework.util.MultiValueMap;

/**
 * The query parameters of the audit endpoints, checked and typed. A bad value, an unknown name
 * (a misspelt filter would otherwise widen the result silently) or a repeated name is a 400 that
 * names the parameter. An empty value counts as absent, as an empty form field does.
 */
final class AuditParameters {

    static final Set<String> FILTERS = Set.of("from", "to", "subject", "role", "apiKeyId", "expert", "status", "kind",
            "guardrailAction", "requestId", "q");
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 500;
    private static final int MAX_TEXT = 1000;

    private final MultiValueMap<String, String> query;

    private AuditParameters(MultiValueMap<String, String> query) {
        this.query = query;
    }

    /** Accepts the filters plus {@code others}; anything else is refused. */
    static AuditParameters of(MultiValueMap<String, String> query, Set<String> others) {
        Set<String> allowed = new HashSet<>(FILTERS);
        allowed.addAll(others);
        for (Map.Entry<String, List<String>> parameter : query.entrySet()) {
            String name = parameter.getKey();
            if (!allowed.contains(name)) {
                throw invalid(name, "Unknown query parameter '" + name + "'");
            }
            if (parameter.getValue().size() > 1) {
                throw invalid(name, "Query parameter '" + name + "' may be given only once");
            }
        }
        return new AuditParameters(query);
    }

    AuditFilter filter() {
        Instant from = parsed("from", Instant::parse, "an ISO-8601 instant such as 2026-01-31T00:00:00Z");
        Instant to = parsed("to", Instant::parse, "an ISO-8601 instant such as 2026-01-31T00:00:00Z");
        if (from != null && to != null && !to.isAfter(from)) {
            throw invalid("to", "'to' must be after 'from'");
        }
        Integer status = parsed("status", Integer::valueOf, "an HTTP status code between 100 and 599");
        if (status != null && (status < 100 || status > 599)) {
            throw invalid("status", "'status' must be an HTTP status code between 100 and 599");
        }
        return new AuditFilter(from, to, text("subject"), text("role"),
                parsed("apiKeyId", UUID::fromString, "a UUID"), text("expert"), status,
                parsed("kind", AuditParameters::kind, "one of request, response, access, retention"),
                text("guardrailAction"), text("requestId"), text("q"));
    }

    int limit() {
        Integer limit = parsed("limit", Integer::valueOf, "an integer from 1 to " + MAX_LIMIT);
        if (limit == null) {
            return DEFAULT_LIMIT;
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw invalid("limit", "'limit' must be an integer from 1 to " + MAX_LIMIT);
        }
        return limit;
    }

    /** The {@code nextCursor} of the previous page: events with a lower sequence number follow. */
    Long cursor() {
        Long cursor = parsed("cursor", Long::valueOf, "a positive integer (a previous page's nextCursor)");
        if (cursor != null && cursor < 1) {
            throw invalid("cursor", "'cursor' must be a positive integer (a previous page's nextCursor)");
        }
        return cursor;
    }

    ExportFormat format() {
        ExportFormat format = parsed("format", label -> ExportFormat.of(label).orElseThrow(), "jsonl or csv");
        return format == null ? ExportFormat.JSONL : format;
    }

    private String text(String name) {
        String value = query.getFirst(name);
        if (value == null || value.isBlank()) {
            return null;
        }
        if (value.length() > MAX_TEXT) {
            throw invalid(name, "'" + name + "' must be at most " + MAX_TEXT + " characters");
        }
        return value;
    }

    private <T> T parsed(String name, Function<String, T> parser, String rule) {
        String value = text(name);
        if (value == null) {
            return null;
        }
        try {
            return parser.apply(value.strip());
        } catch (IllegalArgumentException | DateTimeParseException | NoSuchElementException e) {
            throw invalid(name, "'" + name + "' must be " + rule);
        }
    }

    private static AuditEvent.Kind kind(String label) {
        for (AuditEvent.Kind kind : AuditEvent.Kind.values()) {
            if (kind.label().equals(label)) {
                return kind;
            }
        }
        throw new IllegalArgumentException(label);
    }

    private static RuntimeException invalid(String name, String message) {
        return ApiError.invalidRequest(name, message).exception();
    }
}
