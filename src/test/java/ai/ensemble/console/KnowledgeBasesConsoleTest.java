package ai.ensemble.console;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import ai.ensemble.rag.KnowledgeBaseManagement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The knowledge-base pages in a real browser: an admin creates a knowledge base, uploads a Markdown
 * and an HTML file (progress, then the ingestion job with the real embedding model), browses the
 * chunks, finds the document by retrieval, edits the readers and deletes it all; users and
 * auditors are refused by the server, pages and POSTs alike.
 */
class KnowledgeBasesConsoleTest extends ConsoleBrowserSupport {

    private static final String HANDBOOK = """
            # Quorblax aquarium care

            The quorblax aquarium on the seventh floor is cleaned every Thursday morning by the facilities team.
            Feeding happens twice a day; only the facilities team may open the lid.
            """;
    private static final String CAFETERIA = """
            <!doctype html><html><head><title>Cafeteria opening hours</title></head><body>
            <h1>Cafeteria</h1><p>The cafeteria serves lunch from noon until two, and coffee all afternoon.</p>
            </body></html>""";

    @Autowired
    KnowledgeBaseManagement knowledgeBases;

    private String kbId;

    @AfterEach
    void deleteWhatWasCreated() {
        browser.manage().window().setSize(new Dimension(1400, 900)); // the size ConsoleBrowserSupport starts with
        if (kbId != null && knowledgeBases.find(kbId).isPresent()) {
            knowledgeBases.delete(kbId);
        }
    }

    @Test
    void adminCreatesAKnowledgeBaseUploadsADocumentAndFindsItByRetrieval() throws IOException {
        kbId = "console-kb-" + UUID.randomUUID().toString().substring(0, 8);
        browser.manage().window().setSize(new Dimension(1280, 900));
        signIn("carol");
        browser.findElement(By.id("nav-kbs")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("create-kb")));

        // An id the permission grammar cannot hold: the server names the field and the rule, and nothing is created.
        create("not valid!", "Bad one", "user");
        assertThat(text("kb-error")).contains("'id'", "[A-Za-z0-9._-]{1,100}");
        assertThat(browser.findElement(By.id("kb-id")).getAttribute("aria-invalid")).isEqualTo("true");
        assertThat(browser.findElement(By.id("kb-id")).getAttribute("value")).isEqualTo("not valid!");
        // A name of blanks passes the browser's "required" but not the server.
        create(kbId, "   ", "user");
        assertThat(text("kb-error")).contains("'name'", "1-200 characters");
        assertThat(browser.findElement(By.id("kb-name")).getAttribute("aria-invalid")).isEqualTo("true");
        screenshot("kbs-error-carol");
        assertThat(jdbc.sql("select count(*) from knowledge_base where id in ('not valid!', ?)").param(kbId).query(Long.class).single())
                .isZero();

        create(kbId, "Console test handbook", "user, auditor");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("kb-page")));
        assertThat(text("kb-message")).contains(kbId, "created");
        assertThat(browser.findElement(By.id("acl-roles")).getAttribute("value")).isEqualTo("auditor, user");

        Path dir = Files.createDirectories(Path.of("target", "kb-console-uploads"));
        // An empty file is refused by the server, naming it; no job is queued.
        Path emptyFile = Files.writeString(dir.resolve(kbId + "-empty.txt"), "");
        browser.findElement(By.id("upload-files")).sendKeys(emptyFile.toAbsolutePath().toString());
        browser.findElement(By.id("upload-submit")).click();
        wait.until(driver -> "refused".equals(driver.findElement(By.id("job-status")).getDomAttribute("data-status")));
        assertThat(text("job-status")).contains("Upload refused", "'" + emptyFile.getFileName() + "' is empty");
        assertThat(jdbc.sql("select count(*) from ingestion_job where kb_id = ?").param(kbId).query(Long.class).single()).isZero();
        browser.navigate().refresh();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("upload-files")));

        // Two files at once, written by the test: the bar reaches 100 %, then the job is polled until it finishes.
        Path markdown = Files.writeString(dir.resolve(kbId + "-aquarium.md"), HANDBOOK);
        Path html = Files.writeString(dir.resolve(kbId + "-cafeteria.html"), CAFETERIA);
        browser.findElement(By.id("upload-files")).sendKeys(markdown.toAbsolutePath() + "\n" + html.toAbsolutePath());
        browser.findElement(By.id("upload-submit")).click();
        new WebDriverWait(browser, Duration.ofSeconds(60)).until(driver ->
                "completed".equals(driver.findElement(By.id("job-status")).getDomAttribute("data-status")));
        assertThat(text("upload-percent")).isEqualTo("100 %");
        assertThat(browser.findElement(By.id("upload-progress")).getDomProperty("value")).isEqualTo("100");
        assertThat(text("job-status")).contains("2 of 2 files done");
        String markdownName = markdown.getFileName().toString();
        String htmlName = html.getFileName().toString();
        WebElement markdownRow = wait.until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("tr[data-document='" + markdownName + "']")));
        WebElement htmlRow = browser.findElement(By.cssSelector("tr[data-document='" + htmlName + "']"));
        assertThat(htmlRow.getText()).contains("Cafeteria opening hours", "text/html", CAFETERIA.getBytes(StandardCharsets.UTF_8).length + " B");
        assertThat(markdownRow.getText()).contains(HANDBOOK.getBytes(StandardCharsets.UTF_8).length + " B");
        long markdownChunks = Long.parseLong(markdownRow.findElement(By.className("chunks")).getText());
        assertThat(markdownChunks).isPositive().isEqualTo(jdbc.sql("""
                select count(*) from kb_chunk c join kb_document d on d.id = c.document_id
                where d.kb_id = ? and d.external_id = ?""").params(kbId, markdownName).query(Long.class).single());
        assertThat(text("document-count")).isEqualTo("2");
        screenshot("kb-carol");

        // The document's chunks.
        markdownRow.findElement(By.className("open-document")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("chunks")));
        assertThat(text("document-name")).isEqualTo(markdownName);
        assertThat(Long.parseLong(text("chunk-count"))).isEqualTo(markdownChunks);
        assertThat(text("chunks")).contains("cleaned every Thursday morning by the facilities team");
        screenshot("kb-document-carol");
        browser.findElement(By.id("back-to-kb")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("query")));

        // "Test a query": the handbook's passage first, with the query's words marked.
        browser.findElement(By.id("query-text")).sendKeys("When is the quorblax aquarium cleaned?");
        browser.findElement(By.id("query-submit")).click();
        WebElement first = wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#passage-list li.passage")));
        assertThat(first.getDomAttribute("data-rank")).isEqualTo("1");
        assertThat(first.getDomAttribute("data-document")).isEqualTo(markdownName);
        assertThat(first.findElements(By.tagName("mark")).stream().map(WebElement::getText))
                .contains("quorblax", "aquarium", "cleaned");
        assertThat(browser.findElements(By.cssSelector("#passage-list li.passage"))).hasSizeGreaterThanOrEqualTo(2);
        scrollTo("query-heading");
        screenshot("kb-query-carol");
        // Across every readable knowledge base (the demo one included), the handbook still comes first.
        new Select(browser.findElement(By.id("query-scope"))).selectByValue("all");
        WebElement previous = browser.findElement(By.id("passages-result"));
        browser.findElement(By.id("query-submit")).click();
        wait.until(ExpectedConditions.stalenessOf(previous));
        first = wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#passage-list li.passage")));
        assertThat(first.getDomAttribute("data-document")).isEqualTo(markdownName);
        assertThat(first.getText()).contains("in " + kbId);
        HttpResponse<String> missing = sessionGet("/console/kbs/no-such-" + kbId);
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).contains("No knowledge base with id &#39;no-such-" + kbId + "&#39;");
        assertThat(sessionGet("/console/kbs/" + kbId + "/documents/" + UUID.randomUUID()).statusCode()).isEqualTo(404);
        // The server refuses an empty query naming the field (the page's "required" normally stops it first).
        HttpResponse<String> empty = sessionGet("/console/kbs/" + kbId + "/query?q=");
        assertThat(empty.statusCode()).isEqualTo(400);
        assertThat(empty.body()).contains("&#39;query&#39; is required");

        // Readers: an unknown role is refused naming the field and changes nothing; a known one is saved.
        setReaders("auditor, no-such-role");
        assertThat(text("kb-error")).contains("Unknown role 'no-such-role'", "'readRoles'");
        assertThat(knowledgeBases.find(kbId).orElseThrow().readRoles()).containsExactlyInAnyOrder("auditor", "user");
        setReaders("auditor");
        assertThat(text("kb-message")).contains("Readers of '" + kbId + "' saved");
        assertThat(jdbc.sql("select role_name from role_permission where permission = ?").param("kb:" + kbId + ":read")
                .query(String.class).list()).containsExactly("auditor");

        // Narrow window: the same pages, one column.
        browser.manage().window().setSize(new Dimension(420, 900));
        browser.navigate().refresh();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("documents-table")));
        screenshot("kb-carol-narrow");
        type("query-text", "quorblax aquarium cleaning");
        browser.findElement(By.id("query-submit")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("passage-list")));
        scrollTo("query-heading");
        screenshot("kb-query-carol-narrow");
        browser.get(base() + "/console/kbs");
        WebElement listed = wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr[data-kb-id='" + kbId + "']")));
        assertThat(listed.findElement(By.className("readers")).getText()).isEqualTo("auditor");
        assertThat(listed.findElement(By.className("documents")).getText()).isEqualTo("2");
        screenshot("kbs-carol-narrow");
        browser.manage().window().setSize(new Dimension(1280, 900));
        screenshot("kbs-carol");

        // Delete one document, then the knowledge base (each after a confirmation).
        listed.findElement(By.className("open-kb")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("documents-table")));
        browser.findElement(By.cssSelector("tr[data-document='" + htmlName + "'] .delete-document")).click();
        wait.until(ExpectedConditions.alertIsPresent()).accept();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("kb-message")));
        assertThat(text("kb-message")).contains("Document '" + htmlName + "' deleted");
        assertThat(browser.findElements(By.cssSelector("tr[data-document='" + htmlName + "']"))).isEmpty();
        assertThat(knowledgeBases.documents(kbId, 10)).extracting(KnowledgeBaseManagement.Document::externalId).containsExactly(markdownName);
        browser.findElement(By.id("delete-kb-submit")).click();
        wait.until(ExpectedConditions.alertIsPresent()).accept();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("create-kb")));
        assertThat(text("kb-message")).contains(kbId, "deleted");
        assertThat(browser.findElements(By.cssSelector("tr[data-kb-id='" + kbId + "']"))).isEmpty();
        assertThat(jdbc.sql("select count(*) from kb_chunk where kb_id = ?").param(kbId).query(Long.class).single()).isZero();
        assertThat(jdbc.sql("select count(*) from role_permission where permission = ?").param("kb:" + kbId + ":read")
                .query(Long.class).single()).isZero();
    }

    @Test
    void userAndAuditorAreRefusedThePagesAndTheirPostsByTheServer() {
        kbId = "console-kb-refusal-" + UUID.randomUUID().toString().substring(0, 8);
        knowledgeBases.create(kbId, "Refusal probe", "", List.of(), "test");
        String[] pages = {"/console/kbs", "/console/kbs/" + kbId, "/console/kbs/" + kbId + "/documents",
                "/console/kbs/" + kbId + "/query?q=anything", "/console/kbs/" + kbId + "/documents/" + UUID.randomUUID(),
                "/console/kbs/" + kbId + "/jobs/" + UUID.randomUUID()};
        for (String user : new String[] {"alice", "bob"}) {
            signedOut();
            signIn(user);
            assertThat(browser.findElements(By.id("nav-kbs"))).as(user).isEmpty();
            for (String page : pages) {
                assertThat(sessionGet(page).statusCode()).as(user + " GET " + page).isEqualTo(403);
            }
            // With the session's own valid CSRF token, so that the 403 is the permission's.
            assertThat(upload(kbId, "probe.md", "# Probe\n\nforged upload").statusCode()).as(user + " upload").isEqualTo(403);
            assertThat(sessionPost("/console/kbs", "id=" + kbId + "-forged&name=Forged&readRoles=user").statusCode())
                    .as(user + " create").isEqualTo(403);
            assertThat(sessionPost("/console/kbs/" + kbId + "/acl", "readRoles=user").statusCode()).as(user + " acl").isEqualTo(403);
            assertThat(sessionPost("/console/kbs/" + kbId + "/delete", "").statusCode()).as(user + " delete").isEqualTo(403);
            browser.get(base() + "/console/kbs/" + kbId);
            assertThat(browser.getPageSource()).contains("403 Forbidden");
        }
        KnowledgeBaseManagement.KnowledgeBase untouched = knowledgeBases.find(kbId).orElseThrow();
        assertThat(untouched.documents()).isZero();
        assertThat(untouched.readRoles()).isEmpty();
        assertThat(knowledgeBases.find(kbId + "-forged")).isEmpty();
        assertThat(jdbc.sql("select count(*) from ingestion_job where kb_id = ?").param(kbId).query(Long.class).single()).isZero();

        // The same request from an admin's session is accepted: the refusals above were not the request's shape.
        signedOut();
        signIn("carol");
        HttpResponse<String> accepted = upload(kbId, "probe.md", "# Probe\n\nAn upload that an admin may make.");
        assertThat(accepted.statusCode()).isEqualTo(202);
        String jobPath = "/console/kbs/" + kbId + "/jobs/" + json(accepted).get("id").asString();
        new WebDriverWait(browser, Duration.ofSeconds(60)).until(driver -> json(sessionGet(jobPath)).get("status").asString().equals("completed"));
        assertThat(knowledgeBases.find(kbId).orElseThrow().documents()).isEqualTo(1);
    }

    private void create(String id, String name, String readRoles) {
        type("kb-id", id);
        type("kb-name", name);
        type("kb-read-roles", readRoles);
        browser.findElement(By.id("create-kb-submit")).click();
        wait.until(driver -> !driver.findElements(By.id("kb-error")).isEmpty() || !driver.findElements(By.id("kb-page")).isEmpty());
    }

    private void setReaders(String roles) {
        type("acl-roles", roles);
        browser.findElement(By.id("acl-save")).click();
        wait.until(driver -> !driver.findElements(By.id("kb-error")).isEmpty() || !driver.findElements(By.id("kb-message")).isEmpty());
    }

    private void scrollTo(String id) {
        ((JavascriptExecutor) browser).executeScript("arguments[0].scrollIntoView()", browser.findElement(By.id(id)));
    }

    private void type(String id, String value) {
        WebElement field = browser.findElement(By.id(id));
        field.clear();
        field.sendKeys(value);
    }

    private String csrfHeader() {
        return browser.findElement(By.cssSelector("meta[name=csrf-header]")).getDomAttribute("content");
    }

    private String csrfToken() {
        return browser.findElement(By.cssSelector("meta[name=csrf-token]")).getDomAttribute("content");
    }

    private HttpResponse<String> sessionPost(String path, String form) {
        return send(HttpRequest.newBuilder(uri(path)).header("Cookie", "JSESSIONID=" + session()).header(csrfHeader(), csrfToken())
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)));
    }

    /** The page's upload as the script sends it: multipart parts named "files", the CSRF token in its header. */
    private HttpResponse<String> upload(String kb, String fileName, String content) {
        String boundary = "----ensemble" + UUID.randomUUID();
        String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"files\"; filename=\"" + fileName + "\"\r\n"
                + "Content-Type: text/markdown\r\n\r\n" + content + "\r\n--" + boundary + "--\r\n";
        return send(HttpRequest.newBuilder(uri("/console/kbs/" + kb + "/documents")).header("Cookie", "JSESSIONID=" + session())
                .header(csrfHeader(), csrfToken()).header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }
}
