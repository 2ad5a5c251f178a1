package ai.ensemble.rag.web;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import ai.ensemble.rag.internal.DocumentRequests;
import ai.ensemble.rag.internal.DocumentStore;
import ai.ensemble.rag.internal.DocumentStore.ChunkView;
import ai.ensemble.rag.internal.DocumentStore.DocumentView;
import ai.ensemble.rag.internal.Ingestion;
import ai.ensemble.rag.internal.IngestionJobs;
import ai.ensemble.rag.internal.IngestionJobs.FileUpload;
import ai.ensemble.rag.internal.IngestionJobs.JobView;
import ai.ensemble.rag.internal.KnowledgeBases;
import ai.ensemble.security.Callers;
import ai.ensemble.shared.ApiError;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

/**
 * Documents of a knowledge base: one JSON document (stored before the answer), JSONL in bulk or
 * files as multipart (both as an ingestion job, answered 202 with the job), browse and delete.
 */
@RestController
class DocumentController {

    private static final int MAX_PAGE = 500;

    private final KnowledgeBases knowledgeBases;
    private final DocumentStore documents;
    private final Ingestion ingestion;
    private final IngestionJobs jobs;

    DocumentController(KnowledgeBases knowledgeBases, DocumentStore documents, Ingestion ingestion, IngestionJobs jobs) {
        this.knowledgeBases = knowledgeBases;
        this.documents = documents;
        this.ingestion = ingestion;
        this.jobs = jobs;
    }

    @PostMapping(path = "/admin/api/kbs/{id}/documents", consumes = "application/json")
    ResponseEntity<DocumentView> one(@PathVariable String id, @RequestBody String body) {
        requireKnowledgeBase(id);
        boolean existed = documents.findByExternalId(id, DocumentRequests.one(body).externalId()).isPresent();
        Ingestion.Outcome outcome;
        try {
            outcome = ingestion.ingest(id, DocumentRequests.one(body));
        } catch (IllegalArgumentException e) {
            throw ApiError.invalidRequest("text", "The document cannot be ingested: " + e.getMessage()).exception();
        }
        return ResponseEntity.status(existed ? HttpStatus.OK : HttpStatus.CREATED).body(outcome.stored());
    }

    @PostMapping(path = "/admin/api/kbs/{id}/documents", consumes = {"application/x-ndjson", "application/jsonl"})
    ResponseEntity<JobView> bulk(@PathVariable String id, @RequestBody String body) {
        requireKnowledgeBase(id);
        return accepted(jobs.submitDocuments(id, DocumentRequests.lines(body), Callers.current().subject()));
    }

    @PostMapping(path = "/admin/api/kbs/{id}/documents", consumes = "multipart/form-data")
    ResponseEntity<JobView> files(@PathVariable String id, @RequestParam(name = "files", required = false) List<MultipartFile> files)
            throws IOException {
        requireKnowledgeBase(id);
        if (files == null || files.isEmpty()) {
            throw ApiError.invalidRequest("files", "Send one or more files in multipart parts named 'files'").exception();
        }
        List<FileUpload> uploads = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            MultipartFile file = files.get(i);
            String name = file.getOriginalFilename();
            if (name == null || name.isBlank() || name.length() > 500) {
                throw ApiError.invalidRequest("files[" + i + "]", "Every file needs a file name of 1-500 characters").exception();
            }
            uploads.add(new FileUpload(name, file.getContentType(), file.getBytes(), null));
        }
        return accepted(jobs.submitFiles(id, uploads, Callers.current().subject()));
    }

    @GetMapping("/admin/api/kbs/{id}/documents")
    Map<String, Object> list(@PathVariable String id, @RequestParam(required = false) String after,
                             @RequestParam(defaultValue = "100") int limit) {
        requireKnowledgeBase(id);
        if (limit < 1 || limit > MAX_PAGE) {
            throw ApiError.invalidRequest("limit", "'limit' must be between 1 and " + MAX_PAGE).exception();
        }
        List<DocumentView> page = documents.list(id, after, limit);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("data", page);
        if (page.size() == limit) {
            body.put("next", page.getLast().externalId());
        }
        return body;
    }

    @GetMapping("/admin/api/kbs/{id}/documents/{documentId}")
    Map<String, Object> document(@PathVariable String id, @PathVariable UUID documentId) {
        DocumentView document = documents.find(id, documentId).orElseThrow(() -> documentNotFound(id, documentId));
        List<ChunkView> chunks = documents.chunks(documentId);
        return Map.of("document", document, "chunks", chunks);
    }

    @DeleteMapping("/admin/api/kbs/{id}/documents/{documentId}")
    DocumentView delete(@PathVariable String id, @PathVariable UUID documentId) {
        return documents.delete(id, documentId).orElseThrow(() -> documentNotFound(id, documentId));
    }

    @GetMapping("/admin/api/jobs/{jobId}")
    JobView job(@PathVariable UUID jobId) {
        return jobs.find(jobId).orElseThrow(() -> ApiError.notFound("id", "No ingestion job with id " + jobId, "job_not_found").exception());
    }

    private void requireKnowledgeBase(String id) {
        if (knowledgeBases.find(id).isEmpty()) {
            throw KnowledgeBases.notFound(id);
        }
    }

    private static ResponseEntity<JobView> accepted(JobView job) {
        return ResponseEntity.status(HttpStatus.ACCEPTED).location(URI.create("/admin/api/jobs/" + job.id())).body(job);
    }

    private static RuntimeException documentNotFound(String kbId, UUID documentId) {
        return ApiError.notFound("documentId", "No document " + documentId + " in knowledge base '" + kbId + "'", "document_not_found")
                .exception();
    }
}
