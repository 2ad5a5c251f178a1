package ai.ensemble.rag.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import ai.ensemble.rag.internal.HybridRetriever.Mode;
import ai.ensemble.rag.internal.HybridRetriever.RankedChunk;
import ai.ensemble.shared.ApiError;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Retrieval quality of one knowledge base on BEIR-style judgements: queries as JSONL
 * ({@code {"_id","text"}}), relevance as TSV ({@code query-id corpus-id score}, header optional),
 * where corpus ids are the documents' external ids. Chunks are ranked, then documents ranked by
 * their best chunk. Reports nDCG@10 (linear gain, as pytrec_eval), recall@10 and recall@100 for
 * lexical, vector and hybrid retrieval, averaged over the queries with at least one relevant document.
 */
@Service
public class Evaluation {

    public record Query(String id, String text) {
    }

    public record Metrics(double ndcgAt10, double recallAt10, double recallAt100) {
    }

    public record Report(String kbId, int queries, int judgedQueries, int unknownCorpusIds, Map<String, Metrics> modes) {
    }

    static final int MAX_QUERIES = 5000;
    private static final int CHUNKS_PER_QUERY = 300;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HybridRetriever retriever;
    private final JdbcClient jdbc;

    Evaluation(HybridRetriever retriever, JdbcClient jdbc) {
        this.retriever = retriever;
        this.jdbc = jdbc;
    }

    public static List<Query> parseQueries(String jsonl) {
        if (jsonl == null || jsonl.isBlank()) {
            throw ApiError.invalidRequest("queries", "'queries' is required: JSONL lines {\"_id\":…,\"text\":…}").exception();
        }
        List<Query> queries = new ArrayList<>();
        String[] lines = jsonl.split("\r?\n");
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            JsonNode node;
            try {
                node = JSON.readTree(lines[i]);
            } catch (JacksonException e) {
                throw ApiError.invalidRequest("queries", "'queries' line " + (i + 1) + " is not JSON").exception();
            }
            if (!node.path("_id").isString() || !node.path("text").isString() || node.get("text").asString().isBlank()) {
                throw ApiError.invalidRequest("queries", "'queries' line " + (i + 1) + " needs string fields '_id' and 'text'").exception();
            }
            queries.add(new Query(node.get("_id").asString(), node.get("text").asString()));
        }
        if (queries.isEmpty() || queries.size() > MAX_QUERIES) {
            throw ApiError.invalidRequest("queries", "'queries' must hold 1 to " + MAX_QUERIES + " queries").exception();
        }
        return queries;
    }

    /** query id → corpus id → graded relevance (only scores above 0 are kept). */
    public static Map<String, Map<String, Integer>> parseQrels(String tsv) {
        if (tsv == null || tsv.isBlank()) {
            throw ApiError.invalidRequest("qrels", "'qrels' is required: TSV lines query-id, corpus-id, score").exception();
        }
        Map<String, Map<String, Integer>> qrels = new HashMap<>();
        String[] lines = tsv.split("\r?\n");
        for (int i = 0; i < lines.length; i++) {
            String[] fields = lines[i].strip().split("\t");
            if (lines[i].isBlank() || (i == 0 && fields[0].equals("query-id"))) {
                continue;
            }
            int score;
            try {
                if (fields.length != 3) {
                    throw new NumberFormatException();
                }
                score = Integer.parseInt(fields[2].strip());
            } catch (NumberFormatException e) {
                throw ApiError.invalidRequest("qrels", "'qrels' line " + (i + 1) + " must be query-id<TAB>corpus-id<TAB>integer score")
                        .exception();
            }
            if (score > 0) {
                qrels.computeIfAbsent(fields[0].strip(), q -> new HashMap<>()).put(fields[1].strip(), score);
            }
        }
        return qrels;
    }

    public Report evaluate(String kbId, List<Query> queries, Map<String, Map<String, Integer>> qrels) {
        Map<UUID, String> externalIds = new HashMap<>();
        jdbc.sql("select id, external_id from kb_document where kb_id = ?").param(kbId)
                .query((rs, n) -> externalIds.put(rs.getObject(1, UUID.class), rs.getString(2))).list();
        Set<String> known = new java.util.HashSet<>(externalIds.values());
        int unknown = (int) qrels.values().stream().flatMap(m -> m.keySet().stream()).filter(id -> !known.contains(id)).count();
        Map<Mode, double[]> sums = new LinkedHashMap<>();
        for (Mode mode : Mode.values()) {
            sums.put(mode, new double[3]);
        }
        int judged = 0;
        for (Query query : queries) {
            Map<String, Integer> relevant = qrels.get(query.id());
            if (relevant == null || relevant.isEmpty()) {
                continue;
            }
            judged++;
            float[] vector = retriever.embed(query.text());
            for (Mode mode : Mode.values()) {
                List<String> ranking = documents(retriever.rank(List.of(kbId), query.text(), vector, CHUNKS_PER_QUERY, mode), externalIds);
                double[] sum = sums.get(mode);
                sum[0] += ndcg(ranking, relevant, 10);
                sum[1] += recall(ranking, relevant, 10);
                sum[2] += recall(ranking, relevant, 100);
            }
        }
        Map<String, Metrics> modes = new LinkedHashMap<>();
        for (Map.Entry<Mode, double[]> entry : sums.entrySet()) {
            double[] sum = entry.getValue();
            int n = Math.max(1, judged);
            modes.put(entry.getKey().name().toLowerCase(), new Metrics(sum[0] / n, sum[1] / n, sum[2] / n));
        }
        return new Report(kbId, queries.size(), judged, unknown, modes);
    }

    /** Documents in the order of their best chunk. */
    static List<String> documents(List<RankedChunk> chunks, Map<UUID, String> externalIds) {
        Set<String> documents = new LinkedHashSet<>();
        for (RankedChunk chunk : chunks) {
            documents.add(externalIds.get(chunk.documentId()));
        }
        return new ArrayList<>(documents);
    }

    static double ndcg(List<String> ranking, Map<String, Integer> relevant, int k) {
        double dcg = 0;
        for (int i = 0; i < Math.min(k, ranking.size()); i++) {
            dcg += relevant.getOrDefault(ranking.get(i), 0) / log2(i + 2);
        }
        List<Integer> ideal = relevant.values().stream().sorted((a, b) -> b - a).toList();
        double idcg = 0;
        for (int i = 0; i < Math.min(k, ideal.size()); i++) {
            idcg += ideal.get(i) / log2(i + 2);
        }
        return idcg == 0 ? 0 : dcg / idcg;
    }

    static double recall(List<String> ranking, Map<String, Integer> relevant, int k) {
        long found = ranking.stream().limit(k).filter(relevant::containsKey).count();
        return (double) found / relevant.size();
    }

    private static double log2(int x) {
        return Math.log(x) / Math.log(2);
    }
}
