package ai.ensemble.rag;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.apache.poi.xwpf.usermodel.XWPFDocument;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/** Documents in: JSON, JSONL jobs and files of every supported format through Tika; idempotent by externalId. */
class IngestionTest extends RagTestSupport {

    @Test
    void reuploadingAnExternalIdReplacesTheDocumentAndItsChunks() {
        String admin = admin();
        createKnowledgeBase(admin, "ingest-json");
        String first = "# Expenses\n\nMeals are reimbursed up to forty euros a day. Receipts are required.\n\n"
                + "# Travel\n\nTrains are preferred over flights for trips under four hours.";
        JsonNode created = addDocument(admin, "ingest-json", "handbook", "Staff handbook", first);
        String id = created.get("id").asString();
        List<JsonNode> chunks = chunks(admin, "ingest-json", id);
        assertThat(chunks).extracting(c -> c.get("title").asString()).containsExactly("Expenses", "Travel");
        assertThat(created.at("/metadata/source").asString()).isEqualTo("test");

        HttpResponse<String> again = post("/admin/api/kbs/ingest-json/documents", admin, JSON.writeValueAsString(Map.of(
                "externalId", "handbook", "title", "Staff handbook 2", "text", "Bicycles are reimbursed at thirty cents a kilometre.")));

        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        assertThat(json(again).get("id").asString()).as("same document, replaced").isEqualTo(id);
        List<JsonNode> replaced = chunks(admin, "ingest-json", id);
        assertThat(replaced).hasSize(1);
        assertThat(replaced.getFirst().get("text").asString()).contains("Bicycles");
        assertThat(jdbc.sql("select count(*) from kb_chunk where kb_id = 'ingest-json'").query(Long.class).single()).isEqualTo(1);
        assertThat(jdbc.sql("select count(*) from kb_document where kb_id = 'ingest-json'").query(Long.class).single()).isEqualTo(1);

        assertThat(delete("/admin/api/kbs/ingest-json/documents/" + id, admin).statusCode()).isEqualTo(200);
        assertThat(jdbc.sql("select count(*) from kb_chunk where kb_id = 'ingest-json'").query(Long.class).single()).isZero();
        assertError(delete("/admin/api/kbs/ingest-json/documents/" + id, admin), 404, "documentId");
    }

    @Test
    void rejectsInvalidDocumentsNamingTheFieldAndLine() {
        String admin = admin();
        createKnowledgeBase(admin, "ingest-invalid");
        assertError(post("/admin/api/kbs/ingest-invalid/documents", admin, """
                {"title":"no id","text":"x"}"""), 400, "externalId");
        assertError(post("/admin/api/kbs/ingest-invalid/documents", admin, """
                {"externalId":"a","text":"  "}"""), 400, "text");
        assertError(post("/admin/api/kbs/ingest-invalid/documents", admin, """
                {"externalId":"a","text":"x","metadata":[1]}"""), 400, "metadata");
        assertError(post("/admin/api/kbs/no-such-kb/documents", admin, """
                {"externalId":"a","text":"x"}"""), 404, "id");
        String jsonl = """
                {"externalId":"a","text":"first"}
                {"externalId":"b"}
                """;
        assertError(postBody("/admin/api/kbs/ingest-invalid/documents", admin, "application/x-ndjson",
                jsonl.getBytes(StandardCharsets.UTF_8)), 400, "line 2: text");
        assertThat(jdbc.sql("select count(*) from ingestion_job where kb_id = 'ingest-invalid'").query(Long.class).single())
                .as("a bad line rejects the whole upload").isZero();
    }

    @Test
    void bulkJsonlRunsAsAJobWithProgress() {
        String admin = admin();
        createKnowledgeBase(admin, "ingest-bulk");
        StringBuilder jsonl = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            jsonl.append(JSON.writeValueAsString(Map.of("externalId", "doc-" + i, "title", "Note " + i,
                    "text", "Note number " + i + " is about topic " + (i % 3) + ". It has two sentences."))).append('\n');
        }
        HttpResponse<String> accepted = postBody("/admin/api/kbs/ingest-bulk/documents", admin, "application/x-ndjson",
                jsonl.toString().getBytes(StandardCharsets.UTF_8));
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        assertThat(accepted.headers().firstValue("Location")).hasValue("/admin/api/jobs/" + json(accepted).get("id").asString());

        JsonNode job = awaitJob(admin, json(accepted).get("id").asString());

        assertThat(job.get("status").asString()).isEqualTo("completed");
        assertThat(job.get("total").asInt()).isEqualTo(20);
        assertThat(job.get("done").asInt()).isEqualTo(20);
        JsonNode page = json(get("/admin/api/kbs/ingest-bulk/documents?limit=15", admin));
        assertThat(page.get("data").size()).isEqualTo(15);
        JsonNode rest = json(get("/admin/api/kbs/ingest-bulk/documents?limit=15&after=" + page.get("next").asString(), admin));
        assertThat(rest.get("data").size()).isEqualTo(5);
        assertThat(jdbc.sql("select count(*) from ingestion_item i join ingestion_job j on j.id = i.job_id "
                + "where j.kb_id = 'ingest-bulk' and (i.text is not null or i.content is not null)").query(Long.class).single())
                .as("inputs are dropped once processed").isZero();
    }

    @Test
    void extractsEverySupportedFormatAndReportsAnUnreadableFileWithoutFailingTheJob() throws IOException {
        String admin = admin();
        createKnowledgeBase(admin, "ingest-files");
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("turbines.pdf", pdf("Quarterly maintenance of the heliotrope turbine bearings requires graphite grease."));
        files.put("vendors.docx", docx("The aurora onboarding checklist applies to every new vendor."));
        files.put("travel.html", """
                <html><head><title>Travel policy</title></head><body>
                <h1>Travel policy</h1><h2>Hotel limits</h2><p>Hotels in Zurich may cost up to 240 francs a night.</p>
                </body></html>""".getBytes(StandardCharsets.UTF_8));
        files.put("security.md", "# Security\n\n## Badges\n\nLost badges are reported to the front desk within one day.\n"
                .getBytes(StandardCharsets.UTF_8));
        files.put("parking.txt", "Parking permits are renewed every January.".getBytes(StandardCharsets.UTF_8));
        files.put("broken.pdf", "%PDF-1.7\nthis is not really a PDF".getBytes(StandardCharsets.UTF_8));

        HttpResponse<String> accepted = upload("/admin/api/kbs/ingest-files/documents", admin, "files", files);
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        JsonNode job = awaitJob(admin, json(accepted).get("id").asString());

        assertThat(job.get("status").asString()).as(job.toString()).isEqualTo("completed_with_errors");
        assertThat(job.get("done").asInt()).isEqualTo(5);
        assertThat(job.get("failed").asInt()).isEqualTo(1);
        assertThat(job.at("/errors/0/name").asString()).isEqualTo("broken.pdf");
        assertThat(job.at("/errors/0/message").asString()).contains("broken.pdf");
        Map<String, String> textByFile = new LinkedHashMap<>();
        Map<String, String> titlesByFile = new LinkedHashMap<>();
        for (JsonNode document : json(get("/admin/api/kbs/ingest-files/documents", admin)).get("data")) {
            List<JsonNode> chunks = chunks(admin, "ingest-files", document.get("id").asString());
            textByFile.put(document.get("externalId").asString(), String.join(" ", chunks.stream().map(c -> c.get("text").asString()).toList()));
            titlesByFile.put(document.get("externalId").asString(), chunks.getFirst().get("title").asString());
        }
        assertThat(textByFile).containsOnlyKeys("turbines.pdf", "vendors.docx", "travel.html", "security.md", "parking.txt");
        assertThat(textByFile.get("turbines.pdf")).contains("heliotrope turbine bearings");
        assertThat(textByFile.get("vendors.docx")).contains("aurora onboarding checklist");
        assertThat(textByFile.get("travel.html")).contains("240 francs").doesNotContain("<p>");
        assertThat(titlesByFile.get("travel.html")).as("headings become the chunk's title").isEqualTo("Travel policy › Hotel limits");
        assertThat(titlesByFile.get("security.md")).isEqualTo("Security › Badges");
        assertThat(textByFile.get("parking.txt")).contains("renewed every January");
    }

    private List<JsonNode> chunks(String admin, String kbId, String documentId) {
        HttpResponse<String> response = get("/admin/api/kbs/" + kbId + "/documents/" + documentId, admin);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        List<JsonNode> chunks = new java.util.ArrayList<>();
        json(response).get("chunks").forEach(chunks::add);
        return chunks;
    }

    static byte[] pdf(String text) throws IOException {
        try (PDDocument document = new PDDocument(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            PDPage page = new PDPage();
            document.addPage(page);
            try (PDPageContentStream content = new PDPageContentStream(document, page)) {
                content.beginText();
                content.setFont(new PDType1Font(Standard14Fonts.FontName.HELVETICA), 11);
                content.newLineAtOffset(72, 700);
                content.showText(text);
                content.endText();
            }
            document.save(out);
            return out.toByteArray();
        }
    }

    static byte[] docx(String text) throws IOException {
        try (XWPFDocument document = new XWPFDocument(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            document.createParagraph().createRun().setText(text);
            document.write(out);
            return out.toByteArray();
        }
    }
}
