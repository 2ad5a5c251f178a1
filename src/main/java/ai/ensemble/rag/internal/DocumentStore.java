package ai.ensemble.rag.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import ai.ensemble.rag.internal.Chunker.Chunk;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Documents and their chunks in Postgres. Storing a document replaces any earlier version with the
 * same external id, chunks included, in one transaction; the vector index follows after commit.
 */
@Component
public class DocumentStore {

    public record DocumentView(UUID id, String kbId, String externalId, String title, JsonNode metadata, String contentType,
                               int chunks, Instant createdAt, Instant updatedAt) {
    }

    public record ChunkView(long id, int position, String title, String text) {
    }

    /** A document chunked and ready to embed. */
    record Prepared(NewDocument document, List<Chunk> chunks, String sha256) {
    }

    private static final String SELECT = """
            select d.id, d.kb_id, d.external_id, d.title, d.metadata::text, d.content_type,
                   (select count(*) from kb_chunk c where c.document_id = d.id), d.created_at, d.updated_at
            from kb_document d where %s""";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final JdbcClient jdbc;
    private final JdbcTemplate batch;
    private final VectorIndex index;

    DocumentStore(JdbcClient jdbc, JdbcTemplate batch, VectorIndex index) {
        this.jdbc = jdbc;
        this.batch = batch;
        this.index = index;
    }

    static String sha256(NewDocument document, Chunker chunker) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (String part : new String[] {document.title(), document.text(), document.metadataJson(), chunker.toString()}) {
                digest.update(part.getBytes(StandardCharsets.UTF_8));
                digest.update((byte) 0);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether the knowledge base holds this exact version already (then nothing needs embedding). */
    boolean unchanged(String kbId, String externalId, String sha256) {
        return jdbc.sql("select count(*) from kb_document where kb_id = ? and external_id = ? and content_sha256 = ?")
                .params(kbId, externalId, sha256).query(Long.class).single() > 0;
    }

    /** Inserts or replaces the document and its chunks; {@code vectors[i]} belongs to chunk {@code i}. */
    @Transactional
    public DocumentView store(String kbId, Prepared prepared, float[][] vectors) {
        NewDocument document = prepared.document();
        UUID id = jdbc.sql("""
                        insert into kb_document (id, kb_id, external_id, title, metadata, content_type, content_sha256)
                        values (?, ?, ?, ?, ?::jsonb, ?, ?)
                        on conflict (kb_id, external_id) do update
                        set title = excluded.title, metadata = excluded.metadata, content_type = excluded.content_type,
                            content_sha256 = excluded.content_sha256, updated_at = now()
                        returning id""")
                .params(UUID.randomUUID(), kbId, document.externalId(), document.title(), document.metadataJson(),
                        document.contentType(), prepared.sha256())
                .query(UUID.class).single();
        jdbc.sql("delete from kb_chunk where document_id = ?").param(id).update();
        List<Object[]> rows = new ArrayList<>();
        for (Chunk chunk : prepared.chunks()) {
            rows.add(new Object[] {id, kbId, chunk.position(), chunk.title(), chunk.text(), vectors[chunk.position()]});
        }
        batch.batchUpdate("insert into kb_chunk (document_id, kb_id, position, title, text, embedding) values (?, ?, ?, ?, ?, ?)", rows);
        // BM25's postings and lengths come from Postgres's own tsvector, so stemming and stop words match the query's.
        jdbc.sql("""
                        update kb_chunk c set length = (select coalesce(sum(coalesce(array_length(u.positions, 1), 1)), 0)
                                                        from unnest(c.search) u)
                        where c.document_id = ?""").param(id).update();
        jdbc.sql("""
                        insert into kb_chunk_term (kb_id, lexeme, chunk_id, tf, chunk_length)
                        select c.kb_id, u.lexeme, c.id, coalesce(array_length(u.positions, 1), 1), c.length
                        from kb_chunk c cross join lateral unnest(c.search) u where c.document_id = ?""").param(id).update();
        long[] chunkIds = jdbc.sql("select id from kb_chunk where document_id = ? order by position").param(id)
                .query(Long.class).list().stream().mapToLong(Long::longValue).toArray();
        afterCommit(() -> index.put(kbId, id, chunkIds, vectors));
        return find(kbId, id).orElseThrow();
    }

    @Transactional
    public Optional<DocumentView> delete(String kbId, UUID id) {
        Optional<DocumentView> existing = find(kbId, id);
        existing.ifPresent(document -> {
            jdbc.sql("delete from kb_document where id = ?").param(id).update();
            afterCommit(() -> index.remove(kbId, id));
        });
        return existing;
    }

    public Optional<DocumentView> find(String kbId, UUID id) {
        return jdbc.sql(SELECT.formatted("d.kb_id = ? and d.id = ?")).params(kbId, id).query(DocumentStore::view).optional();
    }

    public Optional<DocumentView> findByExternalId(String kbId, String externalId) {
        return jdbc.sql(SELECT.formatted("d.kb_id = ? and d.external_id = ?")).params(kbId, externalId)
                .query(DocumentStore::view).optional();
    }

    /** A page of documents ordered by external id, after {@code afterExternalId} when given. */
    public List<DocumentView> list(String kbId, String afterExternalId, int limit) {
        return jdbc.sql(SELECT.formatted("d.kb_id = ? and d.external_id > ? order by d.external_id limit ?"))
                .params(kbId, afterExternalId == null ? "" : afterExternalId, limit).query(DocumentStore::view).list();
    }

    public List<ChunkView> chunks(UUID documentId) {
        return jdbc.sql("select id, position, title, text from kb_chunk where document_id = ? order by position").param(documentId)
                .query((rs, n) -> new ChunkView(rs.getLong(1), rs.getInt(2), rs.getString(3), rs.getString(4))).list();
    }

    private static void afterCommit(Runnable action) {
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                action.run();
            }
        });
    }

    private static DocumentView view(ResultSet rs, int row) throws SQLException {
        return new DocumentView(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getString(4), JSON.readTree(rs.getString(5)),
                rs.getString(6), rs.getInt(7), rs.getTimestamp(8).toInstant(), rs.getTimestamp(9).toInstant());
    }
}
