package ai.ensemble.rag;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Knowledge bases as administrators manage them (the console): the same rules and errors as
 * {@code /admin/api/kbs}. Callers check {@code admin:kbs} first; bad input is an
 * {@code ApiException} naming the field, and nothing is written then.
 */
public interface KnowledgeBaseManagement {

    /** A knowledge base with the roles that may read it and what it holds. */
    record KnowledgeBase(String id, String name, String description, List<String> readRoles, long documents, long chunks,
                         Instant createdAt, String createdBy) {
    }

    /** One document; {@code bytes} is the uploaded file's size (null for documents sent as JSON). */
    record Document(UUID id, String externalId, String title, String contentType, Long bytes, int chunks, Instant ingestedAt) {
    }

    /** One chunk of a document, in document order; {@code title} is its heading path. */
    record Chunk(long id, int position, String title, String text) {
    }

    /** An ingestion job's progress; {@code errors} name the file that failed and why. */
    record Job(UUID id, String kbId, String status, int total, int done, int failed, List<String> errors) {

        public boolean finished() {
            return !status.equals("queued") && !status.equals("running");
        }
    }

    /** A file as uploaded; Apache Tika reads its text when the job runs. */
    record Upload(String name, String contentType, byte[] content) {
    }

    List<KnowledgeBase> list();

    Optional<KnowledgeBase> find(String id);

    /** A new knowledge base with default chunking; {@code readRoles} must name existing roles. */
    KnowledgeBase create(String id, String name, String description, List<String> readRoles, String createdBy);

    /** Makes exactly {@code readRoles} hold {@code kb:<id>:read}; everything else stays. */
    KnowledgeBase setReadRoles(String id, List<String> readRoles);

    /** Deletes it with its documents, chunks, jobs and read grants. */
    KnowledgeBase delete(String id);

    /** Up to {@code limit} documents ordered by external id. */
    List<Document> documents(String kbId, int limit);

    Optional<Document> document(String kbId, UUID documentId);

    List<Chunk> chunks(String kbId, UUID documentId);

    Optional<Document> deleteDocument(String kbId, UUID documentId);

    /** Queues the files as one ingestion job (answered at once; poll {@link #job}). */
    Job upload(String kbId, List<Upload> files, String uploadedBy);

    Optional<Job> job(UUID jobId);
}
