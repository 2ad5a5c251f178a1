package ai.ensemble.rag.internal;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import ai.ensemble.rag.KnowledgeBaseManagement;
import ai.ensemble.rag.internal.DocumentStore.DocumentView;
import ai.ensemble.rag.internal.IngestionJobs.FileUpload;
import ai.ensemble.rag.internal.IngestionJobs.JobView;
import ai.ensemble.rag.internal.KnowledgeBases.KnowledgeBaseRequest;
import ai.ensemble.rag.internal.KnowledgeBases.KnowledgeBaseView;
import ai.ensemble.shared.ApiError;
import org.springframework.stereotype.Service;
import tools.jackson.databind.JsonNode;

/** {@link KnowledgeBaseManagement} over the services the admin API uses, so both apply the same rules. */
@Service
class KnowledgeBaseManagementService implements KnowledgeBaseManagement {

    private final KnowledgeBases knowledgeBases;
    private final DocumentStore documents;
    private final IngestionJobs jobs;

    KnowledgeBaseManagementService(KnowledgeBases knowledgeBases, DocumentStore documents, IngestionJobs jobs) {
        this.knowledgeBases = knowledgeBases;
        this.documents = documents;
        this.jobs = jobs;
    }

    @Override
    public List<KnowledgeBase> list() {
        return knowledgeBases.list().stream().map(KnowledgeBaseManagementService::knowledgeBase).toList();
    }

    @Override
    public Optional<KnowledgeBase> find(String id) {
        return knowledgeBases.find(id).map(KnowledgeBaseManagementService::knowledgeBase);
    }

    @Override
    public KnowledgeBase create(String id, String name, String description, List<String> readRoles, String createdBy) {
        return knowledgeBase(knowledgeBases.create(new KnowledgeBaseRequest(id, name, description, readRoles, null, null), createdBy));
    }

    @Override
    public KnowledgeBase setReadRoles(String id, List<String> readRoles) {
        KnowledgeBaseView existing = knowledgeBases.find(id).orElseThrow(() -> KnowledgeBases.notFound(id));
        return knowledgeBase(knowledgeBases.update(id, new KnowledgeBaseRequest(id, existing.name(), existing.description(), readRoles,
                existing.chunking(), existing.defaultExperts())));
    }

    @Override
    public KnowledgeBase delete(String id) {
        return knowledgeBase(knowledgeBases.delete(id));
    }

    @Override
    public List<Document> documents(String kbId, int limit) {
        return documents.list(kbId, null, limit).stream().map(KnowledgeBaseManagementService::document).toList();
    }

    @Override
    public Optional<Document> document(String kbId, UUID documentId) {
        return documents.find(kbId, documentId).map(KnowledgeBaseManagementService::document);
    }

    @Override
    public List<Chunk> chunks(String kbId, UUID documentId) {
        if (documents.find(kbId, documentId).isEmpty()) {
            return List.of();
        }
        return documents.chunks(documentId).stream().map(c -> new Chunk(c.id(), c.position(), c.title(), c.text())).toList();
    }

    @Override
    public Optional<Document> deleteDocument(String kbId, UUID documentId) {
        return documents.delete(kbId, documentId).map(KnowledgeBaseManagementService::document);
    }

    @Override
    public Job upload(String kbId, List<Upload> files, String uploadedBy) {
        if (knowledgeBases.find(kbId).isEmpty()) {
            throw KnowledgeBases.notFound(kbId);
        }
        if (files == null || files.isEmpty()) {
            throw ApiError.invalidRequest("files", "Choose one or more files to upload").exception();
        }
        for (int i = 0; i < files.size(); i++) {
            String name = files.get(i).name();
            if (name == null || name.isBlank() || name.length() > DocumentRequests.MAX_EXTERNAL_ID) {
                throw ApiError.invalidRequest("files[" + i + "]",
                        "Every file needs a file name of 1-" + DocumentRequests.MAX_EXTERNAL_ID + " characters").exception();
            }
            if (files.get(i).content() == null || files.get(i).content().length == 0) {
                throw ApiError.invalidRequest("files[" + i + "]", "'" + name + "' is empty").exception();
            }
        }
        return job(jobs.submitFiles(kbId, files.stream().map(f -> new FileUpload(f.name(), f.contentType(), f.content(), null)).toList(),
                uploadedBy));
    }

    @Override
    public Optional<Job> job(UUID jobId) {
        return jobs.find(jobId).map(KnowledgeBaseManagementService::job);
    }

    private static KnowledgeBase knowledgeBase(KnowledgeBaseView view) {
        return new KnowledgeBase(view.id(), view.name(), view.description(), view.readRoles(), view.documents(), view.chunks(),
                view.createdAt(), view.createdBy());
    }

    private static Document document(DocumentView view) {
        JsonNode bytes = view.metadata() == null ? null : view.metadata().get("bytes");
        return new Document(view.id(), view.externalId(), view.title(), view.contentType(),
                bytes != null && bytes.isNumber() ? bytes.asLong() : null, view.chunks(), view.updatedAt());
    }

    private static Job job(JobView view) {
        return new Job(view.id(), view.kbId(), view.status(), view.total(), view.done(), view.failed(),
                view.errors().stream().map(e -> e.name().isEmpty() ? e.message() : e.name() + ": " + e.message()).toList());
    }
}
