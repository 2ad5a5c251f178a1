package ai.ensemble.rag.web;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import ai.ensemble.rag.internal.Evaluation;
import ai.ensemble.rag.internal.Evaluation.Report;
import ai.ensemble.rag.internal.KnowledgeBases;
import ai.ensemble.shared.ApiError;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

/**
 * {@code POST /admin/api/kbs/{id}/evaluate}: BEIR queries (JSONL) and qrels (TSV) as multipart
 * files named {@code queries} and {@code qrels}, or as JSON {@code {"queries": "<JSONL>", "qrels": "<TSV>"}}.
 */
@RestController
class EvaluationController {

    record EvaluationRequest(String queries, String qrels) {
    }

    private final Evaluation evaluation;
    private final KnowledgeBases knowledgeBases;

    EvaluationController(Evaluation evaluation, KnowledgeBases knowledgeBases) {
        this.evaluation = evaluation;
        this.knowledgeBases = knowledgeBases;
    }

    @PostMapping(path = "/admin/api/kbs/{id}/evaluate", consumes = "application/json")
    Report json(@PathVariable String id, @RequestBody EvaluationRequest request) {
        if (request == null) {
            throw ApiError.invalidRequest(null, "The request body must be a JSON object").exception();
        }
        return run(id, request.queries(), request.qrels());
    }

    @PostMapping(path = "/admin/api/kbs/{id}/evaluate", consumes = "multipart/form-data")
    Report files(@PathVariable String id, @RequestPart(name = "queries", required = false) MultipartFile queries,
                 @RequestPart(name = "qrels", required = false) MultipartFile qrels) throws IOException {
        return run(id, queries == null ? null : new String(queries.getBytes(), StandardCharsets.UTF_8),
                qrels == null ? null : new String(qrels.getBytes(), StandardCharsets.UTF_8));
    }

    private Report run(String id, String queries, String qrels) {
        if (knowledgeBases.find(id).isEmpty()) {
            throw KnowledgeBases.notFound(id);
        }
        return evaluation.evaluate(id, Evaluation.parseQueries(queries), Evaluation.parseQrels(qrels));
    }
}
