package ai.ensemble.rag.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import ai.ensemble.expert.ExpertRegistry;
import ai.ensemble.rag.KnowledgeBaseCatalog;
import ai.ensemble.security.Caller;
import ai.ensemble.security.PermissionGrants;
import ai.ensemble.shared.ApiError;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Creates, lists, changes and deletes knowledge bases. A knowledge base's readers are the roles
 * holding {@code kb:<id>:read}; they are written with the knowledge base in one transaction.
 * Changed chunking settings apply to documents ingested afterwards.
 */
@Service
public class KnowledgeBases implements KnowledgeBaseCatalog {

    public record Chunking(Integer targetChars, Integer overlapChars) {
    }

    public record KnowledgeBaseRequest(String id, String name, String description, List<String> readRoles,
                                       Chunking chunking, List<String> defaultExperts) {
    }

    public record KnowledgeBaseView(String id, String name, String description, List<String> readRoles, Chunking chunking,
                                    List<String> defaultExperts, long documents, long chunks, Instant createdAt,
                                    String createdBy, Instant updatedAt) {
    }

    static final String ID_PATTERN = "[A-Za-z0-9._-]{1,100}";
    private static final String SELECT = """
            select k.id, k.name, k.description, k.chunk_target_chars, k.chunk_overlap_chars, k.default_experts,
                   (select count(*) from kb_document d where d.kb_id = k.id), (select count(*) from kb_chunk c where c.kb_id = k.id),
                   k.created_at, k.created_by, k.updated_at
            from knowledge_base k where %s order by k.id""";

    private final JdbcClient jdbc;
    private final PermissionGrants grants;
    private final ExpertRegistry experts;
    private final VectorIndex index;

    KnowledgeBases(JdbcClient jdbc, PermissionGrants grants, ExpertRegistry experts, VectorIndex index) {
        this.jdbc = jdbc;
        this.grants = grants;
        this.experts = experts;
        this.index = index;
    }

    static String readPermission(String kbId) {
        return "kb:" + kbId + ":read";
    }

    @Transactional
    public KnowledgeBaseView create(KnowledgeBaseRequest request, String createdBy) {
        if (request == null) {
            throw ApiError.invalidRequest(null, "The request body must be a JSON object").exception();
        }
        if (request.id() == null || !request.id().matches(ID_PATTERN)) {
            throw ApiError.invalidRequest("id", "'id' is required and must match " + ID_PATTERN
                    + " (it names the permission kb:<id>:read)").exception();
        }
        Chunking chunking = validate(request);
        if (exists(request.id())) {
            throw ApiError.conflict("id", "Knowledge base '" + request.id() + "' already exists").exception();
        }
        jdbc.sql("""
                        insert into knowledge_base (id, name, description, chunk_target_chars, chunk_overlap_chars, default_experts, created_by)
                        values (?, ?, ?, ?, ?, ?, ?)""")
                .params(request.id(), request.name().strip(), description(request), chunking.targetChars(),
                        chunking.overlapChars(), experts(request), createdBy)
                .update();
        grants.setRolesHolding(readPermission(request.id()), roles(request), "readRoles");
        defaultsChanged();
        return find(request.id()).orElseThrow();
    }

    /** Replaces everything but the id. */
    @Transactional
    public KnowledgeBaseView update(String id, KnowledgeBaseRequest request) {
        find(id).orElseThrow(() -> notFound(id));
        if (request == null) {
            throw ApiError.invalidRequest(null, "The request body must be a JSON object").exception();
        }
        if (request.id() != null && !request.id().equals(id)) {
            throw ApiError.invalidRequest("id", "'id' of a knowledge base cannot change").exception();
        }
        Chunking chunking = validate(request);
        jdbc.sql("""
                        update knowledge_base set name = ?, description = ?, chunk_target_chars = ?, chunk_overlap_chars = ?,
                               default_experts = ?, updated_at = now() where id = ?""")
                .params(request.name().strip(), description(request), chunking.targetChars(), chunking.overlapChars(),
                        experts(request), id)
                .update();
        grants.setRolesHolding(readPermission(id), roles(request), "readRoles");
        defaultsChanged();
        return find(id).orElseThrow();
    }

    @Transactional
    public KnowledgeBaseView delete(String id) {
        KnowledgeBaseView existing = find(id).orElseThrow(() -> notFound(id));
        jdbc.sql("delete from knowledge_base where id = ?").param(id).update();
        grants.revokeEverywhere(readPermission(id));
        defaultsChanged();
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                index.dropKnowledgeBase(id);
            }
        });
        return existing;
    }

    public List<KnowledgeBaseView> list() {
        return jdbc.sql(SELECT.formatted("true")).query(this::view).list();
    }

    @Override
    public List<KnowledgeBaseCatalog.Entry> readableBy(Caller caller) {
        return jdbc.sql("select id, name, description from knowledge_base order by id")
                .query((rs, row) -> new KnowledgeBaseCatalog.Entry(rs.getString(1), rs.getString(2), rs.getString(3)))
                .list().stream().filter(kb -> caller.can(readPermission(kb.id()))).toList();
    }

    public Optional<KnowledgeBaseView> find(String id) {
        return jdbc.sql(SELECT.formatted("k.id = ?")).param(id).query(this::view).optional();
    }

    /** Knowledge bases by the experts that use them by default; read at most every 5 s, dropped after every change here. */
    private volatile java.util.Map<String, List<String>> defaultsByExpert;
    private volatile long defaultsReadAt;

    /** The knowledge bases {@code expertId} uses by default (a chat request's path: no query per request). */
    public List<String> defaultsFor(String expertId) {
        java.util.Map<String, List<String>> current = defaultsByExpert;
        if (current == null || System.nanoTime() - defaultsReadAt > 5_000_000_000L) {
            java.util.Map<String, List<String>> read = new java.util.HashMap<>();
            jdbc.sql("select id, unnest(default_experts) from knowledge_base order by id")
                    .query((rs, n) -> java.util.Map.entry(rs.getString(2), rs.getString(1))).list()
                    .forEach(e -> read.computeIfAbsent(e.getKey(), k -> new java.util.ArrayList<>()).add(e.getValue()));
            current = read;
            defaultsByExpert = current;
            defaultsReadAt = System.nanoTime();
        }
        return List.copyOf(current.getOrDefault(expertId, List.of()));
    }

    /** Drops the cached defaults once the current transaction commits (or at once outside one). */
    private void defaultsChanged() {
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    defaultsByExpert = null;
                }
            });
        } else {
            defaultsByExpert = null;
        }
    }

    public List<String> ids() {
        return jdbc.sql("select id from knowledge_base order by id").query(String.class).list();
    }

    boolean exists(String id) {
        return jdbc.sql("select count(*) from knowledge_base where id = ?").param(id).query(Long.class).single() > 0;
    }

    Chunker chunker(String id) {
        return jdbc.sql("select chunk_target_chars, chunk_overlap_chars from knowledge_base where id = ?").param(id)
                .query((rs, n) -> new Chunker(rs.getInt(1), rs.getInt(2))).optional().orElseThrow(() -> notFound(id));
    }

    public static RuntimeException notFound(String id) {
        return ApiError.notFound("id", "No knowledge base with id '" + id + "'", "kb_not_found").exception();
    }

    private Chunking validate(KnowledgeBaseRequest request) {
        if (request.name() == null || request.name().isBlank() || request.name().strip().length() > 200) {
            throw ApiError.invalidRequest("name", "'name' is required and must be 1-200 characters").exception();
        }
        if (request.description() != null && request.description().length() > 2000) {
            throw ApiError.invalidRequest("description", "'description' must be at most 2000 characters").exception();
        }
        List<String> roles = roles(request);
        for (int i = 0; i < roles.size(); i++) {
            if (roles.get(i) == null || roles.get(i).isBlank()) {
                throw ApiError.invalidRequest("readRoles[" + i + "]", "'readRoles[" + i + "]' must be a role name").exception();
            }
        }
        String[] expertIds = experts(request);
        for (int i = 0; i < expertIds.length; i++) {
            if (expertIds[i] == null || experts.find(expertIds[i]).isEmpty()) {
                throw ApiError.invalidRequest("defaultExperts[" + i + "]", "Unknown expert '" + expertIds[i] + "' in 'defaultExperts'")
                        .exception();
            }
        }
        Chunking given = request.chunking() == null ? new Chunking(null, null) : request.chunking();
        int target = given.targetChars() == null ? 1000 : given.targetChars();
        if (target < 200 || target > 8000) {
            throw ApiError.invalidRequest("chunking.targetChars", "'chunking.targetChars' must be between 200 and 8000").exception();
        }
        int overlap = given.overlapChars() == null ? Math.min(150, target / 2) : given.overlapChars();
        if (overlap < 0 || overlap * 2 > target) {
            throw ApiError.invalidRequest("chunking.overlapChars",
                    "'chunking.overlapChars' must be between 0 and half of 'chunking.targetChars' (" + target / 2 + ")").exception();
        }
        return new Chunking(target, overlap);
    }

    private static List<String> roles(KnowledgeBaseRequest request) {
        return request.readRoles() == null ? List.of() : request.readRoles();
    }

    private static String[] experts(KnowledgeBaseRequest request) {
        return request.defaultExperts() == null ? new String[0] : request.defaultExperts().stream().distinct().toArray(String[]::new);
    }

    private static String description(KnowledgeBaseRequest request) {
        return request.description() == null ? "" : request.description();
    }

    private KnowledgeBaseView view(ResultSet rs, int row) throws SQLException {
        String id = rs.getString(1);
        return new KnowledgeBaseView(id, rs.getString(2), rs.getString(3), grants.rolesHolding(readPermission(id)),
                new Chunking(rs.getInt(4), rs.getInt(5)), Arrays.asList((String[]) rs.getArray(6).getArray()), rs.getLong(7),
                rs.getLong(8), rs.getTimestamp(9).toInstant(), rs.getString(10), rs.getTimestamp(11).toInstant());
    }
}
