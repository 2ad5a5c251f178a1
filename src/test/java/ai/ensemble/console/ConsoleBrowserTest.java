package ai.ensemble.console;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console in a real browser: sign-in through the dev identity provider's OIDC flow as each demo
 * user, what each may see and do, and the server's refusals when a page is asked for directly.
 */
class ConsoleBrowserTest extends ConsoleBrowserSupport {

    @Test
    void userSeesOnlyTheDashboardAndIsRefusedTheAdminPages() {
        signIn("alice");
        assertThat(text("who")).isEqualTo("alice");
        assertThat(text("roles")).isEqualTo("user");
        assertThat(browser.findElements(By.id("nav-audit"))).isEmpty();
        assertThat(browser.findElements(By.id("nav-keys"))).isEmpty();
        for (String adminArea : new String[] {"nav-roles", "nav-experts", "nav-policies", "nav-quotas", "nav-kbs"}) {
            assertThat(browser.findElements(By.id(adminArea))).as(adminArea).isEmpty();
        }
        assertThat(browser.findElements(By.id("nav-playground"))).hasSize(1);
        assertThat(browser.findElement(By.id("totals")).getText()).contains("Requests", "Tokens", "Blocked", "Flagged");
        new Select(browser.findElement(By.name("range"))).selectByValue("7d");
        wait.until(ExpectedConditions.urlContains("range=7d"));
        screenshot("dashboard-alice");

        browser.get(base() + "/console/keys");
        assertThat(browser.getPageSource()).contains("403 Forbidden");
        assertThat(sessionGet("/console/keys").statusCode()).isEqualTo(403);
        assertThat(sessionGet("/console/audit").statusCode()).isEqualTo(403);
        assertThat(sessionGet("/console/audit/requests/anything").statusCode()).isEqualTo(403);
        for (String adminPage : new String[] {"/console/roles", "/console/experts", "/console/policies", "/console/quotas", "/console/kbs"}) {
            assertThat(sessionGet(adminPage).statusCode()).as(adminPage).isEqualTo(403);
        }
        assertThat(sessionGet("/console").statusCode()).isEqualTo(200);
    }

    @Test
    void auditorSearchesTheLogPagesOnAndOpensARecordWhichIsItselfAudited() {
        String marker = "consoleprobe" + UUID.randomUUID().toString().replace("-", "");
        for (int i = 0; i < 2; i++) {
            HttpResponse<String> chat = post("/v1/chat/completions", DEMO_KEY, chatBody(ECHO_EXPERT, marker + " number " + i));
            assertThat(chat.statusCode()).isEqualTo(200);
        }
        signIn("bob");
        assertThat(text("roles")).isEqualTo("auditor");
        // Auditors' dashboard counts the whole gateway: at least the two requests just made.
        browser.get(base() + "/console?range=1h");
        assertThat(Long.parseLong(text("requests"))).isGreaterThanOrEqualTo(2);
        assertThat(Long.parseLong(text("tokens"))).isPositive();
        assertThat(browser.findElements(By.id("nav-keys"))).isEmpty();
        browser.findElement(By.id("nav-audit")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("audit-filters")));

        // One row a page, so that "Older events" has to fetch the second through htmx.
        browser.get(base() + "/console/audit?kind=request&limit=1&q=" + marker);
        assertThat(browser.findElements(By.cssSelector("tr.audit-row"))).hasSize(1);
        browser.findElement(By.id("more")).click();
        wait.until(driver -> driver.findElements(By.cssSelector("tr.audit-row")).size() == 2);
        screenshot("audit-bob");

        // The filter form swaps the results in place through htmx.
        WebElement q = browser.findElement(By.name("q"));
        q.clear();
        q.sendKeys("no-such-text-anywhere-" + marker);
        browser.findElement(By.id("search")).click();
        wait.until(driver -> driver.findElements(By.cssSelector("tr.audit-row")).isEmpty());
        assertThat(browser.findElement(By.id("audit-rows")).getText()).contains("No events match.");

        browser.get(base() + "/console/audit?kind=request&q=" + marker);
        WebElement open = browser.findElements(By.cssSelector("a.open-request")).getFirst();
        String requestId = open.getText();
        open.click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("request-id")));
        assertThat(text("request-id")).isEqualTo(requestId);
        assertThat(browser.getPageSource()).contains(marker);
        screenshot("audit-request-bob");
        Long reads = jdbc.sql("select count(*) from audit_event where kind = 'access' and subject = 'bob' and request_id = ?")
                .param(requestId).query(Long.class).single();
        assertThat(reads).isEqualTo(1);
        assertThat(sessionGet("/console/audit/requests/no-such-request").statusCode()).isEqualTo(404);

        assertThat(sessionGet("/console/keys").statusCode()).isEqualTo(403);
        browser.get(base() + "/console/keys");
        assertThat(browser.getPageSource()).contains("403 Forbidden");
    }

    @Test
    void adminIssuesAKeyThatWorksOnceShownThenRevokesIt() {
        signIn("carol");
        assertThat(text("roles")).isEqualTo("admin");
        for (String area : new String[] {"nav-audit", "nav-keys", "nav-roles", "nav-experts", "nav-policies", "nav-quotas", "nav-kbs", "nav-playground"}) {
            assertThat(browser.findElements(By.id(area))).as(area).hasSize(1);
        }
        browser.findElement(By.id("nav-keys")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("issue")));
        String name = "console-" + UUID.randomUUID().toString().substring(0, 8);
        browser.findElement(By.id("key-name")).sendKeys(name);
        browser.findElement(By.id("issue-key")).click();
        String secret = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("issued-secret"))).getText();
        assertThat(secret).startsWith("sk-ens-");
        WebElement row = browser.findElement(By.cssSelector("tr[data-key-name='" + name + "']"));
        assertThat(row.findElement(By.className("state")).getText()).isEqualTo("active");
        assertThat(row.getText()).contains("carol", "user");
        screenshot("keys-carol");
        assertThat(get("/v1/models", secret).statusCode()).isEqualTo(200);

        // Shown once: a reload lists the key but no longer shows the secret.
        browser.navigate().refresh();
        assertThat(browser.findElements(By.id("issued-secret"))).isEmpty();
        assertThat(browser.getPageSource()).doesNotContain(secret);

        // Without the CSRF token the session alone cannot issue a key.
        HttpResponse<String> forged = send(HttpRequest.newBuilder(uri("/console/keys"))
                .header("Cookie", "JSESSIONID=" + session())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("name=forged&roles=admin")));
        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(jdbc.sql("select count(*) from api_key where name = 'forged'").query(Long.class).single()).isZero();

        browser.findElement(By.cssSelector("tr[data-key-name='" + name + "']")).findElement(By.className("revoke")).click();
        wait.until(driver -> driver.findElement(By.cssSelector("tr[data-key-name='" + name + "'] .state")).getText().equals("revoked"));
        assertThat(get("/v1/models", secret).statusCode()).isEqualTo(401);

        browser.findElement(By.id("logout")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("signed-out")));
        browser.get(base() + "/console");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.name("password")));
        assertThat(browser.getCurrentUrl()).endsWith("/login");
    }
}
