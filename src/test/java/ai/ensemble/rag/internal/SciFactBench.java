package ai.ensemble.rag.internal;

import java.io.BufferedReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import ai.ensemble.EnsembleApplication;
import ai.ensemble.rag.internal.Evaluation.Query;
import ai.ensemble.rag.internal.Evaluation.Report;
import ai.ensemble.rag.internal.IngestionJobs.JobView;
import ai.ensemble.rag.internal.KnowledgeBases.Chunking;
import ai.ensemble.rag.internal.KnowledgeBases.KnowledgeBaseRequest;
import ai.ensemble.security.Caller;
import ai.ensemble.security.CallerType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Retrieval quality and speed on BEIR SciFact: the whole corpus ingested into a knowledge base
 * through an ingestion job (the JSONL path: chunking, batched embedding, Postgres), then the
 * training queries evaluated (nDCG@10, recall@10, recall@100 for lexical, vector and hybrid) and
 * the hybrid retrieval latency measured as {@code /api/retrieve} runs it (query embedding, SQL,
 * vector scan, fusion, passage fetch).
 *
 * <p>Run from the repository root (not a test; the data is not part of the repository):
 * <pre>./mvnw -q test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=ai.ensemble.rag.internal.SciFactBench</pre>
 * Settings: {@code bench.scifact} (folder with corpus.jsonl, queries_train.jsonl, qrels/train.tsv;
 * default {@code ../shared/data/scifact}, else {@code /work/shared/data/scifact}), {@code bench.targetChars}
 * and {@code bench.overlapChars} (chunking, default 1000 / 150), {@code bench.out}
 * (default {@code target/bench/rag-scifact.json}).
 */
public final class SciFactBench {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private SciFactBench() {
    }

    public static void main(String[] args) throws Exception {
        Path data = dataFolder();
        if (data == null) {
            System.out.println("SciFact data not found (set -Dbench.scifact=<folder>); nothing measured.");
            return;
        }
        int target = Integer.getInteger("bench.targetChars", 1000);
        int overlap = Integer.getInteger("bench.overlapChars", 150);
        Path out = Path.of(System.getProperty("bench.out", "target/bench/rag-scifact.json"));
        List<NewDocument> corpus = corpus(data.resolve("corpus.jsonl"));
        List<Query> queries = Evaluation.parseQueries(Files.readString(data.resolve("queries_train.jsonl")));
        Map<String, Map<String, Integer>> qrels = Evaluation.parseQrels(Files.readString(data.resolve("qrels/train.tsv")));
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("data", data.toString());
        result.put("machine", Map.of("cpus", Runtime.getRuntime().availableProcessors(), "java", Runtime.version().toString(),
                "loadavg_start", loadAverage()));
        result.put("chunking", Map.of("targetChars", target, "overlapChars", overlap));

        String pgDir = System.getProperty("bench.pgdir");
        boolean reuse = pgDir != null;
        String[] settings = concat(new String[] {"--server.port=0",
                "--ensemble.embedded-postgres.data-dir=" + (reuse ? pgDir : "target/bench-pg/" + UUID.randomUUID()),
                "--ensemble.embedded-postgres.clean=" + !reuse, "--logging.level.root=WARN"}, args);
        try (ConfigurableApplicationContext gateway = new SpringApplicationBuilder(EnsembleApplication.class).profiles("dev").run(settings)) {
            KnowledgeBases knowledgeBases = gateway.getBean(KnowledgeBases.class);
            IngestionJobs jobs = gateway.getBean(IngestionJobs.class);
            Evaluation evaluation = gateway.getBean(Evaluation.class);
            HybridRetriever retriever = gateway.getBean(HybridRetriever.class);
            VectorIndex index = gateway.getBean(VectorIndex.class);
            org.springframework.jdbc.core.simple.JdbcClient jdbc = gateway.getBean(org.springframework.jdbc.core.simple.JdbcClient.class);
            gateway.getBean(Embedder.class).embed("warm up the model");

            // With -Dbench.pgdir the database is kept: a finished corpus is reused, and a job left
            // unfinished by an interrupted run has been resumed at start (measured from here on).
            UUID jobId = knowledgeBases.find("scifact").isEmpty() ? null : jdbc.sql(
                    "select id from ingestion_job where kb_id = 'scifact' order by created_at desc limit 1").query(UUID.class).optional().orElse(null);
            if (jobId == null) {
                knowledgeBases.find("scifact").ifPresent(kb -> knowledgeBases.delete("scifact"));
                knowledgeBases.create(new KnowledgeBaseRequest("scifact", "SciFact", "BEIR SciFact corpus", List.of(),
                        new Chunking(target, overlap), List.of()), "bench");
            }
            long started = System.nanoTime();
            JobView job = jobId == null ? jobs.submitDocuments("scifact", corpus, "bench") : jobs.find(jobId).orElseThrow();
            int doneAtStart = jobId == null ? 0 : job.done();
            long chunksAtStart = jdbc.sql("select count(*) from kb_chunk where kb_id = 'scifact'").query(Long.class).single();
            result.put("resumedOrReused", jobId != null);
            while (job.status().equals("queued") || job.status().equals("running")) {
                Thread.sleep(500);
                job = jobs.find(job.id()).orElseThrow();
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            int chunks = index.size();
            int documentsMeasured = job.done() - doneAtStart;
            long chunksMeasured = chunks - chunksAtStart;
            result.put("ingestion", Map.of("status", job.status(), "documents", job.done(), "failed", job.failed(), "chunks", chunks,
                    "measuredDocuments", documentsMeasured, "measuredChunks", chunksMeasured, "seconds", round(seconds),
                    "documentsPerSecond", round(documentsMeasured / seconds), "chunksPerSecond", round(chunksMeasured / seconds)));
            System.out.printf("ingested %d documents (%d chunks) in %.1f s%n", job.done(), chunks, seconds);

            started = System.nanoTime();
            Report report = evaluation.evaluate("scifact", queries, qrels);
            result.put("evaluation", report);
            result.put("evaluationSeconds", round((System.nanoTime() - started) / 1e9));
            System.out.println(JSON.writeValueAsString(report));

            Caller reader = new Caller("bench", CallerType.API_KEY, Set.of("bench"), Set.of("kb:scifact:read"), null);
            result.put("latencyHybridTop10", latency(queries, q -> retriever.retrieve(reader, q, List.of("scifact"), 10)));
            result.put("latencyLexicalTop10", latency(queries, q -> retriever.rank(List.of("scifact"), q, null, 10, HybridRetriever.Mode.LEXICAL)));
            List<float[]> vectors = queries.stream().map(q -> retriever.embed(q.text())).toList();
            int[] next = {0};
            result.put("latencyQueryEmbedding", latency(queries, q -> retriever.embed(q)));
            result.put("latencyVectorScanTop100", latency(queries, q -> index.search(List.of("scifact"), vectors.get(next[0]++ % vectors.size()), 100)));
            result.put("loadavg_end", loadAverage());
        }
        Files.createDirectories(out.getParent());
        Files.writeString(out, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(result));
        System.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(result));
    }

    private static String[] concat(String[] first, String[] second) {
        String[] all = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, all, first.length, second.length);
        return all;
    }

    private static Map<String, Object> latency(List<Query> queries, java.util.function.Consumer<String> call) {
        for (int i = 0; i < Math.min(50, queries.size()); i++) {
            call.accept(queries.get(i).text()); // warm-up
        }
        long[] nanos = new long[queries.size()];
        for (int i = 0; i < queries.size(); i++) {
            long started = System.nanoTime();
            call.accept(queries.get(i).text());
            nanos[i] = System.nanoTime() - started;
        }
        Arrays.sort(nanos);
        return Map.of("n", nanos.length, "p50Ms", round(nanos[nanos.length / 2] / 1e6),
                "p99Ms", round(nanos[(int) Math.ceil(nanos.length * 0.99) - 1] / 1e6));
    }

    private static List<NewDocument> corpus(Path file) throws Exception {
        List<NewDocument> documents = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node = JSON.readTree(line);
                String title = node.path("title").asString("");
                documents.add(new NewDocument(node.get("_id").asString(), title.isBlank() ? node.get("_id").asString() : title,
                        node.get("text").asString(), "{}", "text/plain"));
            }
        }
        return documents;
    }

    private static Path dataFolder() {
        String configured = System.getProperty("bench.scifact");
        for (String candidate : configured != null ? List.of(configured) : List.of("../shared/data/scifact", "/work/shared/data/scifact")) {
            if (Files.isRegularFile(Path.of(candidate, "corpus.jsonl"))) {
                return Path.of(candidate);
            }
        }
        return null;
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (Exception e) {
            return "unknown";
        }
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }
}
