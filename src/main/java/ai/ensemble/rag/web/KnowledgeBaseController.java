package ai.ensemble.rag.web;

import java.util.List;
import java.util.Map;

import ai.ensemble.rag.internal.KnowledgeBases;
import ai.ensemble.rag.internal.KnowledgeBases.KnowledgeBaseRequest;
import ai.ensemble.rag.internal.KnowledgeBases.KnowledgeBaseView;
import ai.ensemble.security.Callers;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** {@code /admin/api/kbs}: knowledge bases, their readers and settings; permission {@code admin:kbs}. */
@RestController
@RequestMapping("/admin/api/kbs")
class KnowledgeBaseController {

    private final KnowledgeBases knowledgeBases;

    KnowledgeBaseController(KnowledgeBases knowledgeBases) {
        this.knowledgeBases = knowledgeBases;
    }

    @PostMapping(consumes = "application/json")
    @ResponseStatus(HttpStatus.CREATED)
    KnowledgeBaseView create(@RequestBody KnowledgeBaseRequest request) {
        return knowledgeBases.create(request, Callers.current().subject());
    }

    @GetMapping
    Map<String, List<KnowledgeBaseView>> list() {
        return Map.of("data", knowledgeBases.list());
    }

    @GetMapping("/{id}")
    KnowledgeBaseView one(@PathVariable String id) {
        return knowledgeBases.find(id).orElseThrow(() -> KnowledgeBases.notFound(id));
    }

    @PutMapping(path = "/{id}", consumes = "application/json")
    KnowledgeBaseView update(@PathVariable String id, @RequestBody KnowledgeBaseRequest request) {
        return knowledgeBases.update(id, request);
    }

    /** Deletes the knowledge base with its documents, chunks and jobs, and the roles' kb:<id>:read grants. */
    @DeleteMapping("/{id}")
    KnowledgeBaseView delete(@PathVariable String id) {
        return knowledgeBases.delete(id);
    }
}
