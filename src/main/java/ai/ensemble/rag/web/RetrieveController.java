package ai.ensemble.rag.web;

import java.util.List;

import ai.ensemble.rag.Passage;
import ai.ensemble.rag.Retrieval;
import ai.ensemble.security.Callers;
import ai.ensemble.shared.ApiError;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** {@code POST /api/retrieve {query, kbs?, topK?}}: passages from the knowledge bases the caller may read. */
@RestController
class RetrieveController {

    record RetrieveRequest(String query, List<String> kbs, Integer topK) {
    }

    record Result(String documentId, String externalId, String title, long chunkId, double score, String text, String kbId,
                  String section) {
    }

    static final int DEFAULT_TOP_K = 5;

    private final Retrieval retrieval;

    RetrieveController(Retrieval retrieval) {
        this.retrieval = retrieval;
    }

    @PostMapping(path = "/api/retrieve", consumes = "application/json")
    List<Result> retrieve(@RequestBody RetrieveRequest request) {
        if (request == null) {
            throw ApiError.invalidRequest(null, "The request body must be a JSON object").exception();
        }
        List<Passage> passages = retrieval.retrieve(Callers.current(), request.query(), request.kbs(),
                request.topK() == null ? DEFAULT_TOP_K : request.topK());
        return passages.stream().map(p -> new Result(p.documentId(), p.externalId(), p.title(), p.chunkId(), p.score(), p.text(),
                p.kbId(), p.section())).toList();
    }
}
