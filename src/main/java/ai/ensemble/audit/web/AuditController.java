package ai.ensemble.audit.web;

import java.io.IOException;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import ai.ensemble.audit.internal.AuditExport;
import ai.ensemble.audit.internal.AuditFilter;
import ai.ensemble.audit.internal.AuditSearch;
import ai.ensemble.audit.internal.ChainVerifier;
import ai.ensemble.audit.internal.ExportFormat;
import ai.ensemble.shared.ApiError;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpHeaders;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /admin/api/audit}: permission {@code audit:read}. Searching lists summaries without
 * prompts or outputs; reading a request's records or exporting is itself audited first.
 */
@RestController
@RequestMapping("/admin/api/audit")
class AuditController {

    /** One request's events, in chain order, with their full records. */
    record RequestRecords(String requestId, List<AuditSearch.RecordedEvent> events) {
    }

    private final ChainVerifier verifier;
    private final AuditSearch search;
    private final AuditExport export;
    private final AccessRecords access;

    AuditController(ChainVerifier verifier, AuditSearch search, AuditExport export, AccessRecords access) {
        this.verifier = verifier;
        this.search = search;
        this.export = export;
        this.access = access;
    }

    /** Recomputes the chain over {@code [from, to)} (ISO-8601 instants; open-ended when absent). */
    @GetMapping("/verify")
    ChainVerifier.Result verify(@RequestParam(required = false) Instant from, @RequestParam(required = false) Instant to)
            throws SQLException {
        return verifier.verify(from, to);
    }

    /** Newest first; pass {@code nextCursor} back as {@code cursor} for the next page. */
    @GetMapping
    AuditSearch.Page search(@RequestParam MultiValueMap<String, String> query) {
        AuditParameters parameters = AuditParameters.of(query, Set.of("limit", "cursor"));
        return search.search(parameters.filter(), parameters.cursor(), parameters.limit());
    }

    @GetMapping("/{requestId}")
    RequestRecords request(@PathVariable String requestId) {
        List<AuditSearch.RecordedEvent> events = search.request(requestId);
        if (events.isEmpty()) {
            throw ApiError.notFound("requestId", "No audit events for request id '" + requestId + "'",
                    "audit_request_not_found").exception();
        }
        access.viewed(requestId, events.stream().map(AuditSearch.RecordedEvent::seq).toList());
        return new RequestRecords(requestId, events);
    }

    /**
     * Every matching event, oldest first, streamed as {@code jsonl} (the default) or {@code csv}.
     * Written here rather than through a {@code StreamingResponseBody}, whose async timeout would
     * cut a long export short.
     */
    @GetMapping("/export")
    void export(@RequestParam MultiValueMap<String, String> query, HttpServletResponse response)
            throws IOException, SQLException {
        AuditParameters parameters = AuditParameters.of(query, Set.of("format"));
        AuditFilter filter = parameters.filter();
        ExportFormat format = parameters.format();
        access.exported(filter, format);
        String file = format.fileName(Instant.now());
        response.setContentType(format.mediaType());
        response.setHeader(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"" + file + "\"");
        try {
            export.export(filter, format, response.getOutputStream());
        } catch (IOException | SQLException | RuntimeException e) {
            // Before the first bytes went out, the error can still be answered as JSON. After, it must
            // reach the container, which then aborts the connection: the client sees a broken
            // transfer instead of a file that looks complete.
            if (!response.isCommitted()) {
                response.reset();
            }
            throw e;
        }
    }
}
