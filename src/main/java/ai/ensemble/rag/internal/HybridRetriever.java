package ai.ensemble.rag.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import ai.ensemble.rag.Passage;
import ai.ensemble.rag.Retrieval;
import ai.ensemble.security.Caller;
import ai.ensemble.shared.ApiError;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * Hybrid retrieval: BM25 over Postgres full-text lexemes and vector similarity, each over the allowed
 * knowledge bases only (the SQL filters on their ids, the vector index scans only their
 * partitions), fused by reciprocal rank fusion (score = Σ 1 / (60 + rank)).
 */
@Service
public class HybridRetriever implements Retrieval {

    public enum Mode { LEXICAL, VECTOR, HYBRID }

    /** One ranked chunk, before its text is read. */
    public record RankedChunk(long chunkId, UUID documentId, double score) {
    }

    static final int RRF_K = 60;
    static final int MAX_TOP_K = 100;
    static final int MAX_QUERY_CHARS = 4000;

    private final JdbcClient jdbc;
    private final VectorIndex index;
    private final Embedder embedder;
    private final KnowledgeBases knowledgeBases;

    HybridRetriever(JdbcClient jdbc, VectorIndex index, Embedder embedder, KnowledgeBases knowledgeBases) {
        this.jdbc = jdbc;
        this.index = index;
        this.embedder = embedder;
        this.knowledgeBases = knowledgeBases;
    }

    @Override
    public List<Passage> retrieve(Caller caller, String query, List<String> kbs, int topK) {
        if (query == null || query.isBlank() || query.length() > MAX_QUERY_CHARS) {
            throw ApiError.invalidRequest("query", "'query' is required and must be at most " + MAX_QUERY_CHARS + " characters")
                    .exception();
        }
        if (topK < 1 || topK > MAX_TOP_K) {
            throw ApiError.invalidRequest("topK", "'topK' must be between 1 and " + MAX_TOP_K).exception();
        }
        List<String> allowed = readable(caller, kbs);
        if (allowed.isEmpty()) {
            return List.of();
        }
        return passages(allowed, rank(allowed, query, topK, Mode.HYBRID));
    }

    /**
     * The chat's question is not a {@code query} field the client sent, so it is never refused as
     * one (a 400 naming 'query' confused chat clients): a blank question searches nothing (the named
     * knowledge bases are still checked), and a longer one is searched by its first
     * {@link #MAX_QUERY_CHARS} characters.
     */
    @Override
    public List<Passage> retrieveForChat(Caller caller, String query, String expertId, List<String> requestedKbs, int topK) {
        if (query == null || query.isBlank()) {
            if (requestedKbs != null && !requestedKbs.isEmpty()) {
                readable(caller, requestedKbs);
            }
            return List.of();
        }
        String searched = query.length() > MAX_QUERY_CHARS ? query.substring(0, MAX_QUERY_CHARS) : query;
        return Retrieval.super.retrieveForChat(caller, searched, expertId, requestedKbs, topK);
    }

    public float[] embed(String query) {
        return embedder.embed(query);
    }

    @Override
    public List<String> defaultKnowledgeBases(String expertId) {
        return knowledgeBases.defaultsFor(expertId);
    }

    /** The named knowledge bases, each checked, or every one the caller may read. */
    List<String> readable(Caller caller, List<String> named) {
        if (named == null || named.isEmpty()) {
            return knowledgeBases.ids().stream().filter(id -> caller.can(KnowledgeBases.readPermission(id))).toList();
        }
        List<String> checked = new ArrayList<>();
        for (int i = 0; i < named.size(); i++) {
            String id = named.get(i);
            if (id == null || !id.matches(KnowledgeBases.ID_PATTERN) || !knowledgeBases.exists(id)) {
                throw ApiError.notFound("kbs[" + i + "]", "No knowledge base with id '" + id + "'", "kb_not_found").exception();
            }
            if (!caller.can(KnowledgeBases.readPermission(id))) {
                throw ApiError.forbidden("Your roles do not allow reading knowledge base '" + id + "' (permission '"
                        + KnowledgeBases.readPermission(id) + "')").exception();
            }
            if (!checked.contains(id)) {
                checked.add(id);
            }
        }
        return checked;
    }

    /** The best {@code k} chunks of the given knowledge bases by {@code mode}. */
    public List<RankedChunk> rank(Collection<String> kbIds, String query, int k, Mode mode) {
        return rank(kbIds, query, mode == Mode.LEXICAL ? null : embedder.embed(query), k, mode);
    }

    /**
     * As above, with the query's embedding computed already ({@code null} for lexical ranking, or
     * when the query had nothing to embed: then no chunk is near it).
     */
    public List<RankedChunk> rank(Collection<String> kbIds, String query, float[] queryVector, int k, Mode mode) {
        int candidates = Math.max(50, k * 3);
        List<RankedChunk> lexical = mode == Mode.VECTOR ? List.of() : lexical(kbIds, query, mode == Mode.LEXICAL ? k : candidates);
        List<RankedChunk> vector = mode == Mode.LEXICAL || queryVector == null ? List.of()
                : vector(kbIds, queryVector, mode == Mode.VECTOR ? k : candidates);
        return switch (mode) {
            case LEXICAL -> lexical;
            case VECTOR -> vector;
            case HYBRID -> fuse(List.of(lexical, vector), k);
        };
    }

    /**
     * BM25 (k1 = 1.2, b = 0.75) over the chunks' tsvector lexemes: the query is normalised by the
     * same text-search configuration, and only the postings of its terms in the allowed knowledge
     * bases are read. Collection statistics (N, mean length, document frequencies) are those of
     * the allowed knowledge bases.
     */
    private List<RankedChunk> lexical(Collection<String> kbIds, String query, int k) {
        String[] kbs = kbIds.toArray(String[]::new);
        return jdbc.sql("""
                        with terms as materialized (
                            select distinct t as lexeme from unnest(tsvector_to_array(to_tsvector('english', ?))) t),
                        scope as materialized (
                            select count(*)::float8 as n, greatest(avg(length), 1)::float8 as mean_length from kb_chunk where kb_id = any(?)),
                        frequencies as materialized (
                            select p.lexeme, count(*)::float8 as df from kb_chunk_term p
                            where p.kb_id = any(?) and p.lexeme in (select lexeme from terms) group by p.lexeme),
                        scored as (
                            select p.chunk_id, sum(ln(1 + (s.n - f.df + 0.5) / (f.df + 0.5))
                                       * p.tf * 2.2 / (p.tf + 1.2 * (0.25 + 0.75 * p.chunk_length / s.mean_length))) as score
                            from kb_chunk_term p join frequencies f on f.lexeme = p.lexeme cross join scope s
                            where p.kb_id = any(?)
                            group by p.chunk_id order by score desc, p.chunk_id limit ?)
                        select s.chunk_id, (select c.document_id from kb_chunk c where c.id = s.chunk_id), s.score from scored s
                        order by s.score desc, s.chunk_id""")
                .params(query.replace('\u0000', ' '), kbs, kbs, kbs, k) // PostgreSQL text cannot hold U+0000
                .query((rs, n) -> new RankedChunk(rs.getLong(1), rs.getObject(2, UUID.class), rs.getDouble(3))).list();
    }

    private List<RankedChunk> vector(Collection<String> kbIds, float[] queryVector, int k) {
        return index.search(kbIds, queryVector, k).stream()
                .map(hit -> new RankedChunk(hit.chunkId(), hit.documentId(), hit.score())).toList();
    }

    static List<RankedChunk> fuse(List<List<RankedChunk>> rankings, int k) {
        Map<Long, RankedChunk> fused = new HashMap<>();
        for (List<RankedChunk> ranking : rankings) {
            for (int rank = 0; rank < ranking.size(); rank++) {
                RankedChunk chunk = ranking.get(rank);
                double score = 1.0 / (RRF_K + rank + 1);
                fused.merge(chunk.chunkId(), new RankedChunk(chunk.chunkId(), chunk.documentId(), score),
                        (a, b) -> new RankedChunk(a.chunkId(), a.documentId(), a.score() + b.score()));
            }
        }
        return fused.values().stream()
                .sorted((a, b) -> a.score() != b.score() ? Double.compare(b.score(), a.score()) : Long.compare(a.chunkId(), b.chunkId()))
                .limit(k).toList();
    }

    /** Reads the ranked chunks' text, again only within the allowed knowledge bases. */
    List<Passage> passages(Collection<String> kbIds, List<RankedChunk> ranked) {
        if (ranked.isEmpty()) {
            return List.of();
        }
        Map<Long, Passage> byId = new LinkedHashMap<>();
        Map<Long, Double> scores = new HashMap<>();
        ranked.forEach(r -> scores.put(r.chunkId(), r.score()));
        jdbc.sql("""
                        select c.id, c.kb_id, d.id, d.external_id, d.title, c.title, c.text
                        from kb_chunk c join kb_document d on d.id = c.document_id
                        where c.id = any(?) and c.kb_id = any(?)""")
                .params(ranked.stream().map(RankedChunk::chunkId).toArray(Long[]::new), kbIds.toArray(String[]::new))
                .query((rs, n) -> byId.put(rs.getLong(1), new Passage(rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getString(6), rs.getLong(1), scores.get(rs.getLong(1)), rs.getString(7))))
                .list();
        return ranked.stream().map(r -> byId.get(r.chunkId())).filter(p -> p != null).toList();
    }
}
