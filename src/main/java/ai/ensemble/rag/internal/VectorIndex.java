package ai.ensemble.rag.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The chunk embeddings of every knowledge base in memory, partitioned by knowledge base: a search
 * scans only the partitions it is given, so a knowledge base the caller may not read is never
 * looked at. Brute-force dot products over L2-normalised vectors (cosine similarity): about
 * 10,000 chunks × 384 dimensions is a few million multiply-adds per query. Rebuilt from Postgres at
 * start, updated after each committed change on this replica.
 */
@Component
class VectorIndex {

    record Hit(String kbId, UUID documentId, long chunkId, float score) {
    }

    /** The vectors of one document, replaced as a whole when the document is. */
    private record DocumentVectors(long[] chunkIds, float[][] vectors) {
    }

    private static final Logger log = LoggerFactory.getLogger(VectorIndex.class);

    private final Map<String, Map<UUID, DocumentVectors>> partitions = new ConcurrentHashMap<>();
    private final JdbcTemplate jdbc;

    VectorIndex(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    void put(String kbId, UUID documentId, long[] chunkIds, float[][] vectors) {
        partitions.computeIfAbsent(kbId, k -> new ConcurrentHashMap<>()).put(documentId, new DocumentVectors(chunkIds, vectors));
    }

    void remove(String kbId, UUID documentId) {
        Map<UUID, DocumentVectors> partition = partitions.get(kbId);
        if (partition != null) {
            partition.remove(documentId);
        }
    }

    void dropKnowledgeBase(String kbId) {
        partitions.remove(kbId);
    }

    int size() {
        return partitions.values().stream().flatMap(p -> p.values().stream()).mapToInt(d -> d.chunkIds().length).sum();
    }

    /** The {@code k} chunks most similar to {@code query} in the given knowledge bases only. */
    List<Hit> search(Collection<String> kbIds, float[] query, int k) {
        PriorityQueue<Hit> best = new PriorityQueue<>(Comparator.comparingDouble(Hit::score));
        for (String kbId : kbIds) {
            Map<UUID, DocumentVectors> partition = partitions.get(kbId);
            if (partition == null) {
                continue;
            }
            for (Map.Entry<UUID, DocumentVectors> document : partition.entrySet()) {
                DocumentVectors vectors = document.getValue();
                for (int i = 0; i < vectors.chunkIds().length; i++) {
                    float score = dot(query, vectors.vectors()[i]);
                    if (best.size() < k) {
                        best.add(new Hit(kbId, document.getKey(), vectors.chunkIds()[i], score));
                    } else if (score > best.peek().score()) {
                        best.poll();
                        best.add(new Hit(kbId, document.getKey(), vectors.chunkIds()[i], score));
                    }
                }
            }
        }
        List<Hit> hits = new ArrayList<>(best);
        hits.sort(Comparator.comparingDouble(Hit::score).reversed());
        return hits;
    }

    static float dot(float[] a, float[] b) {
        float sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }

    /** Reads every embedding from Postgres (at start). */
    void rebuild() {
        long started = System.nanoTime();
        partitions.clear();
        List<Long> ids = new ArrayList<>();
        List<float[]> vectors = new ArrayList<>();
        String[] current = {null, null}; // kb id, document id
        jdbc.query("select kb_id, document_id, id, embedding from kb_chunk order by document_id, position", rs -> {
            String kbId = rs.getString(1);
            String documentId = rs.getString(2);
            if (!documentId.equals(current[1])) {
                flush(current, ids, vectors);
                current[0] = kbId;
                current[1] = documentId;
            }
            ids.add(rs.getLong(3));
            Object[] boxed = (Object[]) rs.getArray(4).getArray();
            float[] vector = new float[boxed.length];
            for (int i = 0; i < boxed.length; i++) {
                vector[i] = ((Number) boxed[i]).floatValue();
            }
            vectors.add(vector);
        });
        flush(current, ids, vectors);
        log.info("Vector index: {} chunks in {} knowledge bases loaded in {} ms", size(), partitions.size(),
                (System.nanoTime() - started) / 1_000_000);
    }

    private void flush(String[] current, List<Long> ids, List<float[]> vectors) {
        if (current[1] != null && !ids.isEmpty()) {
            put(current[0], UUID.fromString(current[1]), ids.stream().mapToLong(Long::longValue).toArray(),
                    vectors.toArray(float[][]::new));
        }
        ids.clear();
        vectors.clear();
    }
}
