package ai.ensemble.console;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The policy and quota pages in a real browser: carol writes a policy, tests a text against it and
 * sees the chat path follow it; broken input is named and nothing is written; a quota she sets
 * refuses the chat beyond it; alice and bob are refused by the server. Every policy is scoped to a
 * client app and every quota to a subject of this class alone, and both are deleted at the end, so
 * the other test classes sharing the database never meet them.
 */
class PoliciesQuotasConsoleTest extends ConsoleBrowserSupport {

    private static final Dimension WIDE = new Dimension(1280, 900);
    private static final Dimension NARROW = new Dimension(420, 900);
    private static final Dimension DEFAULT = new Dimension(1400, 900);

    private static String unique(String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    }

    private HttpResponse<String> chat(String bearer, String app, String text) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri("/v1/chat/completions"))
                .header("Authorization", "Bearer " + bearer).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(chatBody(ECHO_EXPERT, text)));
        if (app != null) {
            request.header("X-Client-App", app);
        }
        return send(request);
    }

    private long policies(String id) {
        return jdbc.sql("select count(*) from guardrail_policy where id = ?").params(id).query(Long.class).single();
    }

    private void runTest(String text, String stage) {
        WebElement area = browser.findElement(By.id("test-text"));
        area.clear();
        area.sendKeys(text);
        new Select(browser.findElement(By.id("test-stage"))).selectByValue(stage);
        ((JavascriptExecutor) browser).executeScript("document.getElementById('test-result').innerHTML = ''");
        browser.findElement(By.id("test-run")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#test-result #test-verdict, #test-result #test-error")));
    }

    /** A POST from the page itself (its CSRF token included): the server's own status code. */
    private long postFromPage(String path, String form) {
        Object status = ((JavascriptExecutor) browser).executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                Ensemble.fetch(arguments[0], {method: 'POST', headers: {'Content-Type': 'application/x-www-form-urlencoded'},
                    body: arguments[1], redirect: 'manual'}).then(r => done(r.status), e => done(-1));""", path, form);
        return (Long) status;
    }

    /** At 1280 px and narrow, with {@code focus} (an element id, or null) scrolled into view. */
    private void shoot(String name, String focus) {
        for (Dimension size : List.of(WIDE, NARROW)) {
            browser.manage().window().setSize(size);
            if (focus != null) {
                ((JavascriptExecutor) browser).executeScript("document.getElementById(arguments[0]).scrollIntoView()", focus);
            }
            screenshot(name + (size == WIDE ? "-1280" : "-narrow"));
        }
        browser.manage().window().setSize(DEFAULT);
    }

    @Test
    void adminWritesAPolicyTestsATextAgainstItAndTheChatPathFollowsIt() {
        String id = unique("console-email-");
        String app = unique("console-app-");
        String text = "Please write to ann.lee@example.com today";
        try {
            signIn("carol");
            browser.findElement(By.id("nav-policies")).click();
            wait.until(ExpectedConditions.presenceOfElementLocated(By.id("policies")));
            browser.findElement(By.id("new-policy")).click();
            wait.until(ExpectedConditions.presenceOfElementLocated(By.id("policy-form")));
            browser.findElement(By.id("policy-id")).sendKeys(id);
            browser.findElement(By.id("policy-description")).sendKeys("E-mail addresses of users of one app");
            browser.findElement(By.id("policy-roles")).sendKeys("user");
            browser.findElement(By.id("policy-apps")).sendKeys(app);
            assertThat(browser.findElement(By.id("stage-input")).isSelected()).as("input is the default stage").isTrue();
            browser.findElement(By.id("detector-email")).click();
            new Select(browser.findElement(By.id("policy-default-action"))).selectByValue("redact");
            browser.findElement(By.id("policy-save")).click();
            wait.until(ExpectedConditions.presenceOfElementLocated(By.id("policy-saved")));
            assertThat(text("policy-saved")).contains(id, "created");
            assertThat(policies(id)).isEqualTo(1);

            // Redact: the test shows the finding in place and the text that would go on; the chat agrees.
            runTest(text, "input");
            assertThat(text("test-verdict")).isEqualTo("redact");
            WebElement mark = browser.findElement(By.cssSelector("#test-result pre.highlighted mark"));
            assertThat(mark.getText()).isEqualTo("ann.lee@example.com");
            assertThat(mark.getAttribute("title")).isEqualTo("EMAIL");
            assertThat(browser.findElement(By.cssSelector("#test-result tr.finding")).getText())
                    .contains("EMAIL", "email", "redact", text.indexOf("ann") + "–" + (text.indexOf("ann") + "ann.lee@example.com".length()));
            assertThat(text("test-redacted")).isEqualTo("Please write to [EMAIL_1] today");
            HttpResponse<String> redacted = chat(DEMO_KEY, app, text);
            assertThat(redacted.statusCode()).as(redacted.body()).isEqualTo(200);
            assertThat(json(redacted).at("/choices/0/message/content").asString()).isEqualTo("Please write to [EMAIL_1] today");

            // Block e-mail addresses: the edit form keeps every other field; the test and the chat both block.
            browser.findElement(By.id("actions-per-type")).click(); // folded while no type has its own action
            new Select(browser.findElement(By.id("action-email"))).selectByValue("block");
            browser.findElement(By.id("policy-save")).click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("policy-saved"), "saved"));
            assertThat(browser.findElement(By.id("policy-apps")).getAttribute("value")).isEqualTo(app);
            assertThat(new Select(browser.findElement(By.id("action-email"))).getFirstSelectedOption().getText()).isEqualTo("block");
            runTest(text, "input");
            assertThat(text("test-verdict")).isEqualTo("block");
            assertThat(text("test-blocked-by")).isEqualTo(id);
            assertThat(browser.findElement(By.cssSelector("#test-result pre.highlighted mark")).getText()).isEqualTo("ann.lee@example.com");
            assertThat(browser.findElements(By.id("test-withheld"))).hasSize(1);
            shoot("policy-test-carol", "test-result");
            HttpResponse<String> blocked = chat(DEMO_KEY, app, text);
            assertThat(blocked.statusCode()).as(blocked.body()).isEqualTo(400);
            assertThat(json(blocked).at("/error/code").asString()).isEqualTo("policy_violation");
            assertThat(json(blocked).at("/error/message").asString()).contains(id).doesNotContain("ann.lee");
            String userJwt = ISSUER.token().subject(unique("policy-user-")).sign();
            assertThat(chat(userJwt, app, text).statusCode()).as("a user's JWT is covered like the demo key").isEqualTo(400);
            HttpResponse<String> otherApp = chat(DEMO_KEY, null, text);
            assertThat(otherApp.statusCode()).as("requests from other apps are not covered").isEqualTo(200);
            assertThat(otherApp.body()).contains("ann.lee@example.com");
            // A denied topic, blocked: typed into the form's topic row; the test names the topic's detector, the chat blocks.
            browser.findElement(By.id("topic-name-0")).sendKeys("salary-data");
            browser.findElement(By.id("topic-description-0")).sendKeys("Questions about colleagues' salaries and pay");
            browser.findElement(By.id("topic-examples-0")).sendKeys("How much does my colleague earn?\nWhat is the salary of the head of sales?");
            new Select(browser.findElement(By.id("action-denied_topic"))).selectByValue("block");
            browser.findElement(By.id("policy-save")).click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("policy-saved"), "saved"));
            assertThat(browser.findElement(By.id("topic-name-0")).getAttribute("value")).isEqualTo("salary-data");
            assertThat(browser.findElement(By.id("topic-examples-0")).getAttribute("value")).contains("head of sales");
            String salary = "How much does Maria in accounting earn a year?";
            runTest(salary, "input");
            assertThat(text("test-verdict")).isEqualTo("block");
            assertThat(browser.findElement(By.cssSelector("#test-result tr.finding")).getText()).contains("DENIED_TOPIC", "topic:salary-data");
            assertThat(chat(DEMO_KEY, app, salary).statusCode()).isEqualTo(400);

            // Only the output stage is not screened by this policy: nothing found there.
            runTest(text, "output");
            assertThat(text("test-verdict")).isEqualTo("allow");
            assertThat(text("test-redacted")).isEqualTo(text);

            // The list shows the policy; "test a text" there runs the enabled policies covering a role.
            browser.findElement(By.id("back-to-policies")).click();
            WebElement row = wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr[data-policy='" + id + "']")));
            assertThat(row.getText()).contains(id, "user", app, "input", "email", "email: block", "default: redact", "0.5", "yes");
            browser.findElement(By.id("test-role")).sendKeys("user");
            runTest(text, "input");
            assertThat(text("test-verdict")).isEqualTo("block");
            assertThat(browser.findElements(By.cssSelector("#test-result .test-step[data-policy='" + id + "']"))).hasSize(1);
            shoot("policies-carol", null);

            browser.findElement(By.cssSelector("tr[data-policy='" + id + "'] button.delete")).click();
            browser.switchTo().alert().accept();
            wait.until(ExpectedConditions.presenceOfElementLocated(By.id("policy-saved")));
            assertThat(text("policy-saved")).contains("deleted");
            assertThat(browser.findElements(By.cssSelector("tr[data-policy='" + id + "']"))).isEmpty();
            assertThat(policies(id)).isZero();
            assertThat(chat(DEMO_KEY, app, text).statusCode()).as("the deleted policy no longer applies").isEqualTo(200);
        } finally {
            jdbc.sql("delete from guardrail_policy where id = ?").params(id).update();
        }
    }

    @Test
    void brokenPolicyInputIsNamedNextToItsFieldAndNothingIsWritten() {
        String id = unique("console-bad-");
        signIn("carol");
        browser.get(base() + "/console/policies/new");
        browser.findElement(By.id("policy-id")).sendKeys(id);
        browser.findElement(By.id("detector-email")).click();
        // The browser's own checks (max="1") would stop this before the server sees it: switch them off.
        JavascriptExecutor js = (JavascriptExecutor) browser;
        js.executeScript("document.getElementById('policy-form').noValidate = true;"
                + "document.getElementById('policy-min-score').value = '2';");
        browser.findElement(By.id("policy-save")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("policy-error")));
        assertThat(text("policy-error")).startsWith("minScore:").contains("between 0 and 1");
        assertThat(browser.findElement(By.id("field-actions")).getAttribute("class")).contains("invalid");
        assertThat(browser.findElement(By.id("policy-min-score")).getAttribute("aria-invalid")).isEqualTo("true");
        assertThat(browser.findElement(By.id("policy-id")).getAttribute("value")).as("the form comes back as typed").isEqualTo(id);
        assertThat(browser.findElement(By.id("detector-email")).isSelected()).isTrue();
        shoot("policy-error-carol", null);

        // A detector the page does not offer (a crafted form): named by its index.
        js.executeScript("document.getElementById('policy-form').noValidate = true;"
                + "document.getElementById('policy-min-score').value = '0.5';"
                + "document.getElementById('detector-email').value = 'telepathy';");
        browser.findElement(By.id("policy-save")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("policy-error"), "telepathy"));
        assertThat(text("policy-error")).startsWith("detectors[0]:").contains("Unknown detector 'telepathy'");
        assertThat(browser.findElement(By.id("field-detectors")).getAttribute("class")).contains("invalid");

        // What a person can type: a role that does not exist.
        browser.findElement(By.id("policy-roles")).sendKeys("no-such-role-anywhere");
        browser.findElement(By.id("policy-save")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("policy-error"), "roles[0]"));
        assertThat(text("policy-error")).contains("Unknown role 'no-such-role-anywhere'");

        // The server's answer to each is a 400, and nothing was ever written.
        assertThat(postFromPage("/console/policies", "id=" + id + "&stages=input&detectors=email&defaultAction=redact&minScore=2"))
                .isEqualTo(400);
        assertThat(postFromPage("/console/policies/test", "text=&stage=input")).as("an empty text to test").isEqualTo(400);
        assertThat(policies(id)).isZero();
    }

    @Test
    void adminSetsAQuotaAndTheChatBeyondItIsRefused() {
        String subject = unique("quota-console-");
        String caller = ISSUER.token().subject(subject).sign();
        try {
            signIn("carol");
            browser.findElement(By.id("nav-quotas")).click();
            wait.until(ExpectedConditions.presenceOfElementLocated(By.id("quota-form")));

            // An unknown role is named, and nothing is written.
            new Select(browser.findElement(By.id("quota-subject-type"))).selectByValue("role");
            browser.findElement(By.id("quota-subject")).sendKeys("no-such-role-" + subject);
            browser.findElement(By.id("quota-max-requests")).sendKeys("2");
            browser.findElement(By.id("quota-create")).click();
            wait.until(ExpectedConditions.presenceOfElementLocated(By.id("quota-error")));
            assertThat(text("quota-error")).startsWith("subject:").contains("Unknown role");
            assertThat(browser.findElement(By.id("quota-subject")).getAttribute("aria-invalid")).isEqualTo("true");
            assertThat(jdbc.sql("select count(*) from quota where subject like ?").params("%" + subject).query(Long.class).single()).isZero();

            new Select(browser.findElement(By.id("quota-subject-type"))).selectByValue("user");
            WebElement subjectField = browser.findElement(By.id("quota-subject"));
            subjectField.clear();
            subjectField.sendKeys(subject);
            new Select(browser.findElement(By.id("quota-window"))).selectByValue("day");
            browser.findElement(By.id("quota-create")).click();
            wait.until(ExpectedConditions.presenceOfElementLocated(By.id("quota-saved")));
            String row = "tr[data-quota='user:" + subject + ":day']";
            assertThat(browser.findElement(By.cssSelector(row)).getText()).contains(subject, "day", "carol");

            assertThat(chat(caller, null, "first").statusCode()).isEqualTo(200);
            assertThat(chat(caller, null, "second").statusCode()).isEqualTo(200);
            HttpResponse<String> refused = chat(caller, null, "third");
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(429);
            assertThat(json(refused).at("/error/code").asString()).isEqualTo("quota_exceeded");
            assertThat(refused.headers().firstValue("Retry-After")).isPresent();
            assertThat(chat(DEMO_KEY, null, "others are not limited").statusCode()).isEqualTo(200);

            browser.navigate().refresh();
            assertThat(browser.findElement(By.cssSelector(row + " .requests-used")).getText()).isEqualTo("2");
            assertThat(Long.parseLong(browser.findElement(By.cssSelector(row + " .tokens-used")).getText())).isPositive();

            // Raising the limit in place lets one more request through.
            WebElement requests = browser.findElement(By.cssSelector(row + " input[name=maxRequests]"));
            requests.clear();
            requests.sendKeys("3");
            browser.findElement(By.cssSelector(row + " button.save-limits")).click();
            wait.until(ExpectedConditions.presenceOfElementLocated(By.id("quota-saved")));
            assertThat(browser.findElement(By.cssSelector(row + " input[name=maxRequests]")).getAttribute("value")).isEqualTo("3");
            assertThat(chat(caller, null, "third, now allowed").statusCode()).isEqualTo(200);
            assertThat(chat(caller, null, "fourth").statusCode()).isEqualTo(429);
            browser.navigate().refresh();
            shoot("quotas-carol", null);

            // Limits cannot all be removed: the field is named and the old limit stays.
            browser.findElement(By.cssSelector(row + " input[name=maxRequests]")).clear();
            browser.findElement(By.cssSelector(row + " button.save-limits")).click();
            wait.until(ExpectedConditions.presenceOfElementLocated(By.id("quota-error")));
            assertThat(text("quota-error")).startsWith("maxTokens:").contains("'maxTokens', 'maxRequests' or both");
            assertThat(browser.findElement(By.cssSelector(row)).getAttribute("class")).contains("invalid");
            assertThat(jdbc.sql("select max_requests from quota where subject = ?").params(subject).query(Integer.class).single()).isEqualTo(3);

            browser.get(base() + "/console/quotas");
            browser.findElement(By.cssSelector(row + " button.delete")).click();
            wait.until(ExpectedConditions.presenceOfElementLocated(By.id("quota-saved")));
            assertThat(browser.findElements(By.cssSelector(row))).isEmpty();
            assertThat(chat(caller, null, "free again").statusCode()).isEqualTo(200);
        } finally {
            jdbc.sql("delete from quota where subject = ?").params(subject).update();
        }
    }

    @Test
    void userAndAuditorAreRefusedThePagesAndTheirPostsByTheServer() {
        String id = unique("console-forbidden-");
        for (String user : List.of("alice", "bob")) {
            signedOut();
            signIn(user);
            for (String page : List.of("/console/policies", "/console/policies/new", "/console/quotas")) {
                assertThat(sessionGet(page).statusCode()).as(user + " " + page).isEqualTo(403);
            }
            browser.get(base() + "/console/policies");
            assertThat(browser.getPageSource()).contains("403 Forbidden");
            browser.get(base() + "/console");
            // With a valid CSRF token, so that the refusal is the permission's.
            assertThat(postFromPage("/console/policies", "id=" + id + "&stages=input&detectors=email&defaultAction=block"))
                    .as(user).isEqualTo(403);
            assertThat(postFromPage("/console/policies/test", "text=ann%40example.com&stage=input")).as(user).isEqualTo(403);
            assertThat(postFromPage("/console/quotas", "subjectType=user&subject=" + id + "&window=day&maxRequests=1"))
                    .as(user).isEqualTo(403);
            assertThat(postFromPage("/console/quotas/" + UUID.randomUUID() + "/delete", "")).as(user).isEqualTo(403);
        }
        assertThat(policies(id)).isZero();
        assertThat(jdbc.sql("select count(*) from quota where subject = ?").params(id).query(Long.class).single()).isZero();
    }
}
