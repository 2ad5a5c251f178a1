package ai.ensemble.rag.web;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import ai.ensemble.audit.AuditEvent;
import ai.ensemble.audit.AuditLog;
import ai.ensemble.audit.AuditUnavailableException;
import ai.ensemble.rag.Passage;
import ai.ensemble.rag.Retrieval;
import ai.ensemble.security.Caller;
import ai.ensemble.security.Callers;
import ai.ensemble.shared.ApiError;
import ai.ensemble.shared.ApiException;
import ai.ensemble.shared.RequestIds;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /api/retrieve {query, kbs?, topK?}}: passages from the knowledge bases the caller may
 * read. Like a chat request, it is audited: the query before retrieval, what was retrieved (or the
 * refusal) after; when the audit log cannot commit, nothing is answered (503).
 */
@RestController
class RetrieveController {

    record RetrieveRequest(String query, List<String> kbs, Integer topK) {
    }

    record Result(String documentId, String externalId, String title, long chunkId, double score, String text, String kbId,
                  String section) {
    }

    static final int DEFAULT_TOP_K = 5;
    private static final String ENDPOINT = "/api/retrieve";

    private final Retrieval retrieval;
    private final AuditLog audit;

    RetrieveController(Retrieval retrieval, AuditLog audit) {
        this.retrieval = retrieval;
        this.audit = audit;
    }

    @PostMapping(path = ENDPOINT, consumes = "application/json")
    List<Result> retrieve(@RequestBody RetrieveRequest request,
                          @RequestHeader(name = "X-Client-App", required = false) String clientApp) {
        if (request == null) {
            throw ApiError.invalidRequest(null, "The request body must be a JSON object").exception();
        }
        Caller caller = Callers.current();
        int topK = request.topK() == null ? DEFAULT_TOP_K : request.topK();
        Map<String, Object> asked = new LinkedHashMap<>();
        asked.put("query", request.query());
        asked.put("kbs", request.kbs() == null ? List.of() : request.kbs());
        asked.put("topK", topK);
        record(caller, clientApp, AuditEvent.Kind.REQUEST, null, asked);
        List<Passage> passages;
        try {
            passages = retrieval.retrieve(caller, request.query(), request.kbs(), topK);
        } catch (ApiException refused) {
            record(caller, clientApp, AuditEvent.Kind.RESPONSE, refused.error().status().value(), Map.of("error", refused.getMessage()));
            throw refused;
        }
        List<Map<String, Object>> retrieved = passages.stream().map(p -> Map.<String, Object>of("kbId", p.kbId(),
                "documentId", p.documentId(), "externalId", p.externalId(), "chunkId", p.chunkId(), "score", p.score())).toList();
        record(caller, clientApp, AuditEvent.Kind.RESPONSE, 200, Map.of("retrieved", retrieved));
        return passages.stream().map(p -> new Result(p.documentId(), p.externalId(), p.title(), p.chunkId(), p.score(), p.text(),
                p.kbId(), p.section())).toList();
    }

    private void record(Caller caller, String clientApp, AuditEvent.Kind kind, Integer status, Map<String, Object> body) {
        try {
            audit.append(new AuditEvent(kind, RequestIds.current(), Instant.now(), caller.subject(), caller.type().label(),
                    caller.roles(), caller.apiKeyId(), clientApp, ENDPOINT, null, null, status, null, body));
        } catch (AuditUnavailableException e) {
            throw ApiError.unavailable("The audit log is unavailable, so the request was not processed; retry later",
                    "audit_unavailable").exception();
        }
    }
}
