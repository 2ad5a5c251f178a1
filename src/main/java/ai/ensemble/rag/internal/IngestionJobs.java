package ai.ensemble.rag.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import ai.ensemble.rag.internal.Ingestion.Outcome;
import ai.ensemble.rag.internal.TextExtractor.Extracted;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Bulk and multi-file ingestion as jobs. A job and all its items (with their input) are written in
 * one transaction before anything runs; a single worker thread then processes items in batches,
 * committing each item's document together with the item's state and the job's progress. A file
 * that cannot be read fails alone and is listed in the job's errors. At start, jobs left queued or
 * running by a stopped gateway are resumed from their pending items ({@link #resumeInterrupted}).
 */
@Service
public class IngestionJobs {

    public record JobError(int item, String name, String message) {
    }

    public record JobView(UUID id, String kbId, String status, int total, int done, int failed, List<JobError> errors,
                          String createdBy, Instant createdAt, Instant updatedAt) {
    }

    /** One uploaded file; {@code externalId} defaults to the file name. */
    public record FileUpload(String name, String contentType, byte[] content, String externalId) {
    }

    private record Item(int position, String name, String externalId, String title, String metadata, String text,
                        byte[] content, String contentType) {
    }

    static final int BATCH = 16;
    private static final Logger log = LoggerFactory.getLogger(IngestionJobs.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;
    private final Ingestion ingestion;
    private final TextExtractor extractor;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("rag-ingestion").daemon().factory());

    IngestionJobs(JdbcClient jdbc, TransactionTemplate transactions, Ingestion ingestion, TextExtractor extractor) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.ingestion = ingestion;
        this.extractor = extractor;
    }

    public JobView submitDocuments(String kbId, List<NewDocument> documents, String createdBy) {
        return submit(kbId, documents.size(), createdBy, (job) -> {
            for (int i = 0; i < documents.size(); i++) {
                NewDocument d = documents.get(i);
                jdbc.sql("""
                                insert into ingestion_item (job_id, position, name, external_id, title, metadata, text, content_type)
                                values (?, ?, ?, ?, ?, ?::jsonb, ?, ?)""")
                        .params(job, i, d.externalId(), d.externalId(), d.title(), d.metadataJson(), d.text(), d.contentType()).update();
            }
        });
    }

    public JobView submitFiles(String kbId, List<FileUpload> files, String createdBy) {
        return submit(kbId, files.size(), createdBy, (job) -> {
            for (int i = 0; i < files.size(); i++) {
                FileUpload f = files.get(i);
                jdbc.sql("""
                                insert into ingestion_item (job_id, position, name, external_id, content, content_type)
                                values (?, ?, ?, ?, ?, ?)""")
                        .params(job, i, f.name(), f.externalId() == null ? f.name() : f.externalId(), f.content(), f.contentType())
                        .update();
            }
        });
    }

    private JobView submit(String kbId, int total, String createdBy, java.util.function.Consumer<UUID> items) {
        UUID id = UUID.randomUUID();
        transactions.executeWithoutResult(status -> {
            jdbc.sql("insert into ingestion_job (id, kb_id, status, total, created_by) values (?, ?, 'queued', ?, ?)")
                    .params(id, kbId, total, createdBy).update();
            items.accept(id);
        });
        worker.execute(() -> run(id));
        return find(id).orElseThrow();
    }

    public Optional<JobView> find(UUID id) {
        return jdbc.sql("""
                        select id, kb_id, status, total, done, failed, errors::text, created_by, created_at, updated_at
                        from ingestion_job where id = ?""")
                .param(id).query(IngestionJobs::view).optional();
    }

    /** Queues every job a stopped gateway left unfinished; they continue with their pending items. */
    public int resumeInterrupted() {
        List<UUID> unfinished = jdbc.sql("select id from ingestion_job where status in ('queued', 'running') order by created_at")
                .query(UUID.class).list();
        for (UUID id : unfinished) {
            log.info("Resuming ingestion job {} interrupted by a restart", id);
            worker.execute(() -> run(id));
        }
        return unfinished.size();
    }

    private void run(UUID jobId) {
        try {
            String kbId = jdbc.sql("update ingestion_job set status = 'running', updated_at = now() where id = ? "
                    + "and status in ('queued', 'running') returning kb_id").param(jobId).query(String.class).optional().orElse(null);
            if (kbId == null) {
                return; // finished already, or its knowledge base was deleted
            }
            List<Item> items;
            while (!(items = pending(jobId)).isEmpty()) {
                processBatch(jobId, kbId, items);
            }
            jdbc.sql("""
                            update ingestion_job set status = case when failed > 0 then 'completed_with_errors' else 'completed' end,
                                   updated_at = now() where id = ?""")
                    .param(jobId).update();
        } catch (RuntimeException e) {
            log.error("Ingestion job {} failed", jobId, e);
            jdbc.sql("""
                            update ingestion_job set status = 'failed', updated_at = now(),
                                   errors = errors || jsonb_build_array(jsonb_build_object('item', -1, 'name', '', 'message', ?::text))
                            where id = ?""")
                    .params("job stopped: " + e.getMessage(), jobId).update();
        }
    }

    private List<Item> pending(UUID jobId) {
        return jdbc.sql("""
                        select position, name, external_id, title, metadata::text, text, content, content_type
                        from ingestion_item where job_id = ? and state = 'pending' order by position limit ?""")
                .params(jobId, BATCH)
                .query((rs, n) -> new Item(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                        rs.getString(6), rs.getBytes(7), rs.getString(8)))
                .list();
    }

    private void processBatch(UUID jobId, String kbId, List<Item> items) {
        List<NewDocument> documents = new ArrayList<>();
        List<Item> readable = new ArrayList<>();
        for (Item item : items) {
            try {
                documents.add(document(item));
                readable.add(item);
            } catch (RuntimeException e) {
                settle(jobId, item, message(e));
            }
        }
        List<Outcome> outcomes = ingestion.ingestBatch(kbId, documents);
        for (int i = 0; i < outcomes.size(); i++) {
            RuntimeException failure = outcomes.get(i).failure();
            settle(jobId, readable.get(i), failure == null ? null : message(failure));
        }
    }

    private static String message(RuntimeException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** Stops after the current item; the job stays 'running' and resumes at the next start. */
    @PreDestroy
    void stop() {
        worker.shutdownNow();
    }

    private NewDocument document(Item item) {
        if (item.content() == null) {
            return new NewDocument(item.externalId(), item.title(), item.text(), item.metadata(), item.contentType());
        }
        Extracted extracted = extractor.extract(item.name(), item.content());
        String metadata = JSON.writeValueAsString(Map.of("fileName", item.name(), "bytes", item.content().length));
        return new NewDocument(item.externalId(), extracted.title(), extracted.text(), metadata, extracted.contentType());
    }

    /** Marks an item done ({@code error} null) or failed, dropping its input, and counts it in the job. */
    private void settle(UUID jobId, Item item, String error) {
        transactions.executeWithoutResult(status -> {
            jdbc.sql("""
                            update ingestion_item set state = ?, text = null, content = null
                            where job_id = ? and position = ?""")
                    .params(error == null ? "done" : "failed", jobId, item.position()).update();
            if (error == null) {
                jdbc.sql("update ingestion_job set done = done + 1, updated_at = now() where id = ?").param(jobId).update();
            } else {
                jdbc.sql("""
                                update ingestion_job set failed = failed + 1, updated_at = now(),
                                       errors = errors || jsonb_build_array(jsonb_build_object('item', ?::int, 'name', ?::text, 'message', ?::text))
                                where id = ?""")
                        .params(item.position(), item.name(), error, jobId).update();
            }
        });
    }

    private static JobView view(ResultSet rs, int row) throws SQLException {
        List<JobError> errors = new ArrayList<>();
        for (JsonNode error : JSON.readTree(rs.getString(7))) {
            errors.add(new JobError(error.get("item").asInt(), error.get("name").asString(), error.get("message").asString()));
        }
        return new JobView(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getInt(4), rs.getInt(5), rs.getInt(6),
                errors, rs.getString(8), rs.getTimestamp(9).toInstant(), rs.getTimestamp(10).toInstant());
    }
}
