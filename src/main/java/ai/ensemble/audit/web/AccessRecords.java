package ai.ensemble.audit.web;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import ai.ensemble.audit.AuditEvent;
import ai.ensemble.audit.AuditLog;
import ai.ensemble.audit.AuditUnavailableException;
import ai.ensemble.audit.internal.AuditFilter;
import ai.ensemble.audit.internal.ExportFormat;
import ai.ensemble.security.Caller;
import ai.ensemble.security.Callers;
import ai.ensemble.shared.ApiError;
import ai.ensemble.shared.RequestIds;
import org.springframework.stereotype.Component;

/**
 * Records who read audited text, before they get it: viewing a request's records and exporting
 * are {@code access} events. When the event cannot be committed the reader gets 503, not the text.
 */
@Component
class AccessRecords {

    private final AuditLog audit;

    AccessRecords(AuditLog audit) {
        this.audit = audit;
    }

    /** Filed under the viewed request's id, so that its history shows who read it. */
    void viewed(String requestId, List<Long> seqs) {
        viewed(requestId, seqs, "/admin/api/audit/{id}");
    }

    /** As above, read through {@code endpoint} (the console's record page). */
    void viewed(String requestId, List<Long> seqs, String endpoint) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("viewed_request_id", requestId);
        body.put("viewed_seqs", seqs);
        append(requestId, endpoint, body);
    }

    void exported(AuditFilter filter, ExportFormat format) {
        exported(filter, format, "/admin/api/audit/export");
    }

    /** As above, exported through {@code endpoint} (the console's export button). */
    void exported(AuditFilter filter, ExportFormat format, String endpoint) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("format", format.label());
        body.put("filters", filter.given());
        append(RequestIds.current(), endpoint, body);
    }

    private void append(String requestId, String endpoint, Map<String, Object> body) {
        Caller viewer = Callers.current();
        try {
            audit.append(new AuditEvent(AuditEvent.Kind.ACCESS, requestId, Instant.now(), viewer.subject(),
                    viewer.type().label(), viewer.roles(), viewer.apiKeyId(), null, endpoint, null, null, null, null, body));
        } catch (AuditUnavailableException e) {
            throw ApiError.unavailable("The audit log could not record this access, so the records are not shown;"
                    + " retry later", "audit_unavailable").exception();
        }
    }
}
