package ai.ensemble.rag;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code POST /admin/api/kbs/{id}/evaluate} with BEIR queries and qrels, as JSON or as files. */
class EvaluationApiTest extends RagTestSupport {

    private static final String QUERIES = """
            {"_id":"q1","text":"How long does grease protect turbine bearings?"}
            {"_id":"q2","text":"reimbursement of meals during business trips"}
            {"_id":"q3","text":"query without judgements"}
            """;
    private static final String QRELS = "query-id\tcorpus-id\tscore\nq1\tbearings\t1\nq2\tmeals\t1\nq2\tmissing-doc\t1\n";

    @Test
    void reportsMetricsForLexicalVectorAndHybrid() {
        String admin = admin();
        createKnowledgeBase(admin, "rag-eval");
        addDocument(admin, "rag-eval", "bearings", "Bearing maintenance", "Graphite grease protects turbine bearings for six months.");
        addDocument(admin, "rag-eval", "meals", "Meal expenses", "Meals on business trips are reimbursed up to forty euros a day.");
        addDocument(admin, "rag-eval", "parking", "Parking", "Visitors park in the north garage.");

        HttpResponse<String> response = post("/admin/api/kbs/rag-eval/evaluate", admin,
                JSON.writeValueAsString(Map.of("queries", QUERIES, "qrels", QRELS)));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode report = json(response);
        assertThat(report.get("queries").asInt()).isEqualTo(3);
        assertThat(report.get("judgedQueries").asInt()).isEqualTo(2);
        assertThat(report.get("unknownCorpusIds").asInt()).isEqualTo(1);
        for (String mode : new String[] {"lexical", "vector", "hybrid"}) {
            JsonNode metrics = report.at("/modes/" + mode);
            // q1 finds its one document first; q2 can find only one of its two (one is not in the corpus).
            assertThat(metrics.get("recallAt10").asDouble()).as(mode).isEqualTo(0.75);
            assertThat(metrics.get("ndcgAt10").asDouble()).as(mode).isGreaterThan(0.8).isLessThan(1.0);
        }

        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("queries", QUERIES.getBytes(StandardCharsets.UTF_8));
        files.put("qrels", QRELS.getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> multipart = uploadParts("/admin/api/kbs/rag-eval/evaluate", admin, files);
        assertThat(multipart.statusCode()).as(multipart.body()).isEqualTo(200);
        assertThat(json(multipart).at("/modes/hybrid")).isEqualTo(report.at("/modes/hybrid"));
    }

    @Test
    void rejectsMalformedJudgementsNamingTheField() {
        String admin = admin();
        createKnowledgeBase(admin, "rag-eval-bad");
        assertError(post("/admin/api/kbs/rag-eval-bad/evaluate", admin, JSON.writeValueAsString(
                Map.of("queries", QUERIES, "qrels", "q1\tbearings\n"))), 400, "qrels");
        assertError(post("/admin/api/kbs/rag-eval-bad/evaluate", admin, JSON.writeValueAsString(
                Map.of("queries", "not json", "qrels", QRELS))), 400, "queries");
        assertError(post("/admin/api/kbs/no-such-kb/evaluate", admin, JSON.writeValueAsString(
                Map.of("queries", QUERIES, "qrels", QRELS))), 404, "id");
    }

    /** Each entry as its own named part (queries, qrels). */
    private HttpResponse<String> uploadParts(String path, String bearer, Map<String, byte[]> parts) {
        String boundary = "----eval";
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        parts.forEach((name, content) -> {
            body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"; filename=\"" + name
                    + "\"\r\nContent-Type: text/plain\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            body.writeBytes(content);
            body.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        });
        body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return postBody(path, bearer, "multipart/form-data; boundary=" + boundary, body.toByteArray());
    }
}
