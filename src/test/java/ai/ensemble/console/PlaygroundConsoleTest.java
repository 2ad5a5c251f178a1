package ai.ensemble.console;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The playground in a real browser: a chat streamed through the gateway's own pipeline for the
 * session's caller, showing the expert that answered, the guardrail verdicts and the citations; the
 * chat is audited like any API request (client app {@code console-playground}) and an auditor finds
 * it; the chat endpoint refuses a request without the CSRF token and a caller without {@code chat}.
 */
class PlaygroundConsoleTest extends ConsoleBrowserSupport {

    private static String unique() {
        return UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    @Test
    void aliceStreamsAnAnswerSeesTheExpertAndBobFindsTheChatInTheAuditLog() {
        String marker = "playprobe" + unique();
        signIn("alice");
        browser.findElement(By.id("nav-playground")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("chat-form")));
        assertThat(new Select(browser.findElement(By.id("model"))).getOptions()).extracting(o -> o.getAttribute("value"))
                .startsWith("auto").contains(ECHO_EXPERT);

        new Select(browser.findElement(By.id("model"))).selectByValue(ECHO_EXPERT);
        String message = "Hello from the playground " + marker + " in seven words";
        WebElement answer = ask(message);
        assertThat(answer.getAttribute("data-state")).as(answer.getText()).isEqualTo("done");
        assertThat(answer.findElement(By.className("content")).getText()).isEqualTo(message);
        // the echo expert sends one event a word: the page rendered each as it came
        assertThat(Integer.parseInt(answer.getAttribute("data-chunks"))).isEqualTo(message.split(" ").length);
        assertThat(answer.findElement(By.className("expert")).getText()).isEqualTo(ECHO_EXPERT);

        // "auto" lets the router choose: an astronomy question goes to the expert trained on astronomy
        new Select(browser.findElement(By.id("model"))).selectByValue("auto");
        WebElement routed = ask(ASTRONOMY_EXAMPLES[0] + " " + marker);
        assertThat(routed.getAttribute("data-state")).as(routed.getText()).isEqualTo("done");
        assertThat(routed.findElement(By.className("expert")).getText()).isEqualTo(SECOND_ECHO_EXPERT);
        assertThat(routed.findElement(By.className("route")).getText()).contains("router confidence");
        assertThat(browser.findElements(By.cssSelector("#messages li.message"))).hasSize(4);

        browser.manage().window().setSize(new Dimension(1280, 900));
        screenshot("playground-alice");
        browser.manage().window().setSize(new Dimension(420, 900));
        screenshot("playground-alice-narrow");
        browser.manage().window().setSize(new Dimension(1400, 900));

        // audited like any API request, under alice and the playground's client app; the second request carried the first turn
        List<String> apps = jdbc.sql("select client_app from audit_event where kind = 'request' and subject = 'alice' and text_content like ?")
                .param("%" + marker + "%").query(String.class).list();
        assertThat(apps).containsExactly("console-playground", "console-playground");

        // the session alone, without the CSRF token, cannot chat; nothing reaches the audit log
        String forgedMarker = "forged" + unique();
        HttpResponse<String> forged = sessionPost("/console/playground/chat", chatRequest(forgedMarker), null);
        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(auditedWith(forgedMarker)).isZero();
        // with the token the same request streams (the check above refused the token's absence, nothing else)
        HttpResponse<String> allowed = sessionPost("/console/playground/chat", chatRequest(marker + " direct"), csrf());
        assertThat(allowed.statusCode()).as(allowed.body()).isEqualTo(200);
        assertThat(allowed.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/event-stream");
        assertThat(allowed.headers().firstValue("X-Ensemble-Expert")).hasValue(ECHO_EXPERT);
        assertThat(allowed.body()).contains("\"content\":\" direct\"").endsWith("data: [DONE]\n\n");
        // bad input is a 400 naming the field, and the endpoint only streams
        HttpResponse<String> unstreamed = sessionPost("/console/playground/chat",
                chatRequest(marker).replace("\"stream\":true", "\"stream\":false"), csrf());
        assertThat(unstreamed.statusCode()).isEqualTo(400);
        assertThat(json(unstreamed).at("/error/param").asString()).isEqualTo("stream");
        HttpResponse<String> badRole = sessionPost("/console/playground/chat",
                chatRequest(marker).replace("\"role\":\"user\"", "\"role\":\"wizard\""), csrf());
        assertThat(badRole.statusCode()).isEqualTo(400);
        assertThat(json(badRole).at("/error/param").asString()).isEqualTo("messages[0].role");

        browser.manage().deleteAllCookies();
        signIn("bob");
        assertThat(browser.findElements(By.id("nav-playground"))).isEmpty();
        browser.get(base() + "/console/audit?kind=request&q=" + marker);
        List<WebElement> rows = browser.findElements(By.cssSelector("tr.audit-row"));
        assertThat(rows).hasSize(3);
        assertThat(rows).allSatisfy(row -> assertThat(row.getText()).contains("alice"));
        rows.getLast().findElement(By.cssSelector("a.open-request")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("request-id")));
        assertThat(browser.getPageSource()).contains(message).contains("console-playground");

        // bob (auditor) holds no chat permission: the page and the endpoint refuse him, even with a valid CSRF token
        browser.get(base() + "/console");
        Map<String, String> bobsToken = csrf();
        assertThat(sessionGet("/console/playground").statusCode()).isEqualTo(403);
        String bobsMarker = "bobchat" + unique();
        assertThat(sessionPost("/console/playground/chat", chatRequest(bobsMarker), bobsToken).statusCode()).isEqualTo(403);
        assertThat(auditedWith(bobsMarker)).isZero();
    }

    @Test
    void aGuardrailRedactionAndTheKnowledgeBaseCitationsAreShown() {
        String admin = devToken("demo-admin");
        String policy = "playground-pii-" + unique();
        String kb = "playground-kb-" + unique();
        HttpResponse<String> created = post("/admin/api/policies", admin, """
                {"id":"%s","description":"playground test","apps":["console-playground"],"stages":["input","output"],
                 "detectors":["email","credit-card"],"actions":{"credit_card":"block"},"defaultAction":"redact"}""".formatted(policy));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        try {
            created = post("/admin/api/kbs", admin, """
                    {"id":"%s","name":"Playground handbook","description":"playground test","readRoles":["user"]}""".formatted(kb));
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            HttpResponse<String> document = post("/admin/api/kbs/" + kb + "/documents", admin, JSON.writeValueAsString(Map.of(
                    "externalId", "parking-rule", "title", "Zorblatt parking rule",
                    "text", "Zorblatt parking rule: visitors park on level minus two and register at the front desk.")));
            assertThat(document.statusCode()).as(document.body()).isIn(200, 201);

            signIn("alice");
            browser.get(base() + "/console/playground");
            new Select(browser.findElement(By.id("model"))).selectByValue(ECHO_EXPERT);
            browser.findElement(By.cssSelector("input[data-kb='" + kb + "']")).click();
            WebElement answer = ask("Where do zorblatt visitors park? Tell jane.roe@example.com please");
            assertThat(answer.getAttribute("data-state")).as(answer.getText()).isEqualTo("done");
            assertThat(answer.findElement(By.className("content")).getText())
                    .isEqualTo("Where do zorblatt visitors park? Tell [EMAIL_1] please");
            WebElement flag = answer.findElement(By.cssSelector(".guardrails li.flag-redact"));
            assertThat(flag.findElement(By.className("badge")).getAttribute("textContent")).isEqualTo("redact");
            assertThat(flag.getText()).contains("EMAIL", "input", policy);
            assertThat(answer.findElement(By.className("guardrails")).getText()).doesNotContain("jane.roe");
            List<WebElement> citations = answer.findElements(By.cssSelector(".citations li.citation"));
            assertThat(citations).isNotEmpty();
            assertThat(citations.getFirst().getText()).contains("Zorblatt parking rule", kb, "parking-rule");
            // a blocked prompt: the refusal names the policy, and the conversation goes on without it
            String blockedMarker = "blocked" + unique();
            WebElement blocked = ask("Charge 4111 1111 1111 1111 for " + blockedMarker);
            assertThat(blocked.getAttribute("data-state")).isEqualTo("error");
            assertThat(blocked.findElement(By.className("error")).getText())
                    .contains("blocked by policy '" + policy + "'", "credit card");
            assertThat(jdbc.sql("""
                    select count(*) from audit_event r join audit_event q on q.request_id = r.request_id and q.kind = 'request'
                    where r.kind = 'response' and r.client_app = 'console-playground' and r.subject = 'alice'
                      and r.status = 400 and r.guardrail_action = 'block' and q.text_content like ?""")
                    .param("%" + blockedMarker + "%").query(Long.class).single()).isEqualTo(1);
            WebElement after = ask("And where do zorblatt visitors park?", true);
            assertThat(after.getAttribute("data-state")).as(after.getText()).isEqualTo("done");
            assertThat(after.findElement(By.className("content")).getText()).isEqualTo("And where do zorblatt visitors park?");
            browser.manage().window().setSize(new Dimension(1280, 900));
            screenshot("playground-guardrails-citations");
            browser.manage().window().setSize(new Dimension(1400, 900));

            // The same extension for API clients: the last chunk (and a JSON answer) carries the verdicts
            HttpResponse<String> streamed = send(HttpRequest.newBuilder(uri("/v1/chat/completions"))
                    .header("Authorization", "Bearer " + DEMO_KEY).header("Content-Type", "application/json")
                    .header("X-Client-App", "console-playground")
                    .POST(HttpRequest.BodyPublishers.ofString(chatRequest("write to ann.api@example.com"))));
            assertThat(streamed.statusCode()).as(streamed.body()).isEqualTo(200);
            List<JsonNode> chunks = Arrays.stream(streamed.body().split("\n\n")).map(event -> event.substring("data: ".length()))
                    .filter(data -> !data.equals("[DONE]")).map(JSON::readTree).toList();
            assertThat(chunks.subList(0, chunks.size() - 1)).allSatisfy(chunk -> assertThat(chunk.has("guardrails")).isFalse());
            JsonNode verdict = chunks.getLast().at("/guardrails/verdicts/0");
            assertThat(chunks.getLast().at("/choices/0/finish_reason").asString()).isEqualTo("stop");
            assertThat(chunks.getLast().at("/guardrails/policies/0").asString()).isEqualTo(policy);
            assertThat(verdict.get("action").asString()).isEqualTo("redact");
            assertThat(verdict.get("type").asString()).isEqualTo("EMAIL");
            assertThat(verdict.get("stage").asString()).isEqualTo("input");
            assertThat(streamed.body()).doesNotContain("ann.api@example.com");
            HttpResponse<String> whole = send(HttpRequest.newBuilder(uri("/v1/chat/completions"))
                    .header("Authorization", "Bearer " + DEMO_KEY).header("Content-Type", "application/json")
                    .header("X-Client-App", "console-playground")
                    .POST(HttpRequest.BodyPublishers.ofString(chatBody(ECHO_EXPERT, "write to ann.api@example.com"))));
            assertThat(json(whole).at("/guardrails/verdicts/0/action").asString()).as(whole.body()).isEqualTo("redact");
            // where no policy applies, answers are as before: no guardrails field
            HttpResponse<String> unscreened = post("/v1/chat/completions", DEMO_KEY, chatBody(ECHO_EXPERT, "nothing to screen"));
            assertThat(json(unscreened).has("guardrails")).as(unscreened.body()).isFalse();
        } finally {
            delete("/admin/api/policies/" + policy, admin);
            delete("/admin/api/kbs/" + kb, admin);
        }
        assertThat(get("/admin/api/policies/" + policy, admin).statusCode()).isEqualTo(404);
        assertThat(get("/admin/api/kbs/" + kb, admin).statusCode()).isEqualTo(404);
    }

    /** Types {@code text} into the playground, clicks Send and waits for the answer to finish (or fail). */
    private WebElement ask(String text) {
        return ask(text, false);
    }

    /** As {@link #ask(String)}, sending with the Enter key instead of the button where {@code enter}. */
    private WebElement ask(String text, boolean enter) {
        int before = browser.findElements(By.cssSelector("#messages li.message.assistant")).size();
        WebElement prompt = browser.findElement(By.id("prompt"));
        prompt.sendKeys(text);
        if (enter) {
            prompt.sendKeys(Keys.ENTER);
        } else {
            browser.findElement(By.id("send")).click();
        }
        return wait.until(driver -> {
            List<WebElement> answers = driver.findElements(By.cssSelector("#messages li.message.assistant"));
            if (answers.size() <= before) {
                return null;
            }
            WebElement last = answers.getLast();
            return "streaming".equals(last.getAttribute("data-state")) ? null : last;
        });
    }

    private static String chatRequest(String text) {
        return """
                {"model":"%s","stream":true,"messages":[{"role":"user","content":"%s"}]}""".formatted(ECHO_EXPERT, text);
    }

    /** The CSRF header name and token of the browser's current console page. */
    private Map<String, String> csrf() {
        JavascriptExecutor script = (JavascriptExecutor) browser;
        String header = (String) script.executeScript("return document.querySelector('meta[name=\"csrf-header\"]').content");
        String token = (String) script.executeScript("return document.querySelector('meta[name=\"csrf-token\"]').content");
        return Map.of(header, token);
    }

    /** A JSON POST with the browser's session cookie and, where given, the CSRF header. */
    private HttpResponse<String> sessionPost(String path, String json, Map<String, String> csrf) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).header("Cookie", "JSESSIONID=" + session())
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        if (csrf != null) {
            csrf.forEach(request::header);
        }
        return send(request);
    }

    private long auditedWith(String marker) {
        return jdbc.sql("select count(*) from audit_event where text_content like ?").param("%" + marker + "%")
                .query(Long.class).single();
    }
}
