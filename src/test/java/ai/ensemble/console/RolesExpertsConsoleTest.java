package ai.ensemble.console;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chromium.ChromiumDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The roles, experts and my-keys pages in a real browser: what an admin changes there governs API
 * callers at once (real JWTs, the real router), bad input is refused with the field named and
 * nothing written, and the server refuses people without the permission even with a valid CSRF
 * token, including a user revoking someone else's key by a forged request.
 */
class RolesExpertsConsoleTest extends ConsoleBrowserSupport {

    private static final String[] COOKING = {
            "How long should I roast a chicken at 200 degrees?",
            "What can I use instead of eggs in a cake recipe?",
            "My bread dough did not rise, what went wrong?",
            "How do I make a creamy risotto?",
            "Which herbs go well with grilled lamb?",
            "How much salt should I add to pasta water?",
            "What is the secret to crispy roast potatoes?",
            "How do I caramelise onions without burning them?"};
    private static final String COOKING_QUESTION = "How many minutes do I boil an egg for a soft yolk?";

    private final List<String> createdExperts = new ArrayList<>();

    /** Waits read elements of a page that a form submission is replacing; a stale one is read again. */
    @BeforeEach
    void readAgainWhenStale() {
        wait.ignoring(StaleElementReferenceException.class);
    }

    @AfterEach
    void deleteCreatedExperts() {
        String admin = createdExperts.isEmpty() ? null : devToken("demo-admin");
        createdExperts.forEach(id -> delete("/admin/api/experts/" + id, admin));
        createdExperts.clear();
    }

    @Test
    void adminCreatesARoleAndMapsAGroupWhichAJwtWithThatGroupUsesAtOnce() {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String role = "analyst-" + suffix;
        String group = "console-analysts-" + suffix;
        String member = ISSUER.token().subject("dana-" + suffix).groups(group).sign();
        assertThat(get("/v1/models", member).statusCode()).isEqualTo(403);

        signIn("carol");
        browser.findElement(By.id("nav-roles")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("create-role")));
        assertThat(browser.findElements(By.cssSelector("tr[data-role='admin'] .delete-role"))).as("built-in").isEmpty();

        // A permission outside the grammar: the error names the field, and no role is written.
        browser.findElement(By.id("role-name")).sendKeys("broken-" + suffix);
        browser.findElement(By.id("role-permissions")).sendKeys("chat, launch:missiles");
        browser.findElement(By.id("create-role-submit")).click();
        String error = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("role-error"))).getText();
        assertThat(error).contains("permissions[1]", "launch:missiles");
        assertThat(browser.findElement(By.id("role-permissions")).getAttribute("value")).isEqualTo("chat, launch:missiles");
        assertThat(jdbc.sql("select count(*) from role where name = ?").param("broken-" + suffix).query(Long.class).single()).isZero();
        screenshot("roles-error-carol");

        browser.findElement(By.id("role-name")).clear();
        browser.findElement(By.id("role-name")).sendKeys(role);
        browser.findElement(By.id("role-description")).sendKeys("Finance analysts");
        browser.findElement(By.id("role-permissions")).clear();
        browser.findElement(By.id("role-permissions")).sendKeys("chat, expert:" + ECHO_EXPERT);
        browser.findElement(By.id("create-role-submit")).click();
        WebElement row = wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr[data-role='" + role + "']")));
        assertThat(row.findElement(By.className("role-permissions")).getAttribute("value"))
                .isEqualTo("chat, expert:" + ECHO_EXPERT);

        browser.findElement(By.id("mapping-group")).sendKeys(group);
        new Select(browser.findElement(By.id("mapping-role"))).selectByValue(role);
        browser.findElement(By.id("map-group-submit")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr[data-group='" + group + "']")));
        assertThat(browser.findElement(By.cssSelector("tr[data-role='" + role + "'] .role-groups")).getText()).isEqualTo(group);

        // The same token, no new sign-in: the mapping and the role's permissions apply to its next request.
        HttpResponse<String> models = get("/v1/models", member);
        assertThat(models.statusCode()).as(models.body()).isEqualTo(200);
        assertThat(json(models).get("data")).hasSize(1);
        assertThat(json(models).at("/data/0/id").asString()).isEqualTo(ECHO_EXPERT);
        assertThat(post("/v1/chat/completions", member, chatBody(SECOND_ECHO_EXPERT, "hello")).statusCode()).isEqualTo(403);

        // Editing the role's permissions in its row widens what the token may use.
        WebElement permissions = browser.findElement(By.cssSelector("tr[data-role='" + role + "'] .role-permissions"));
        permissions.clear();
        permissions.sendKeys("chat, expert:*");
        browser.findElement(By.cssSelector("tr[data-role='" + role + "'] .save-role")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("role-notice")));
        assertThat(post("/v1/chat/completions", member, chatBody(SECOND_ECHO_EXPERT, "hello")).statusCode()).isEqualTo(200);

        // A bad edit is refused whole: the role keeps its permissions.
        permissions = browser.findElement(By.cssSelector("tr[data-role='" + role + "'] .role-permissions"));
        permissions.clear();
        permissions.sendKeys("chat, admin:everything");
        browser.findElement(By.cssSelector("tr[data-role='" + role + "'] .save-role")).click();
        assertThat(wait.until(ExpectedConditions.presenceOfElementLocated(By.id("role-error"))).getText()).contains("permissions[1]");
        assertThat(jdbc.sql("select permission from role_permission where role_name = ? order by permission").param(role)
                .query(String.class).list()).containsExactly("chat", "expert:*");

        browser.manage().window().setSize(new Dimension(1280, 900));
        screenshot("roles-carol-1280");
        narrow(() -> screenshot("roles-carol-narrow"));
        ((JavascriptExecutor) browser).executeScript("document.getElementById('mappings').scrollIntoView()");
        screenshot("roles-mappings-carol-1280");

        browser.findElement(By.cssSelector("tr[data-group='" + group + "'] .unmap")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("role-notice")));
        assertThat(browser.findElements(By.cssSelector("tr[data-group='" + group + "']"))).isEmpty();
        assertThat(get("/v1/models", member).statusCode()).isEqualTo(403);

        browser.findElement(By.cssSelector("tr[data-role='" + role + "'] .delete-role")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("role-notice")));
        assertThat(browser.findElements(By.cssSelector("tr[data-role='" + role + "']"))).isEmpty();
        assertThat(jdbc.sql("select count(*) from role where name = ?").param(role).query(Long.class).single()).isZero();
    }

    @Test
    void adminDisablesAnExpertSoRoutingSkipsItTriesQueriesAndEditsItsExamples() {
        String expert = "cx-cooking-" + UUID.randomUUID().toString().substring(0, 6);
        HttpResponse<String> created = post("/admin/api/experts", devToken("demo-admin"), """
                {"id":"%s","type":"echo","description":"Cooking questions","examples":%s}"""
                .formatted(expert, JSON.writeValueAsString(COOKING)));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        createdExperts.add(expert);
        JsonNode before = route(COOKING_QUESTION);
        assertThat(before.get("expert").asString()).isEqualTo(expert);

        signIn("carol");
        browser.findElement(By.id("nav-experts")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("try-query")));
        WebElement row = browser.findElement(By.cssSelector("#experts tr[data-expert='" + expert + "']"));
        assertThat(row.findElement(By.className("state")).getText()).isEqualTo("enabled");
        assertThat(row.findElement(By.className("example-count")).getText()).isEqualTo(String.valueOf(COOKING.length));

        // "Try a query" asks the live router (through htmx) and shows the same scores as POST /api/route.
        tryQuery(COOKING_QUESTION);
        wait.until(d -> d.findElements(By.id("decision-expert")).size() == 1);
        assertThat(text("decision-expert")).isEqualTo(expert);
        assertThat(browser.getCurrentUrl()).endsWith("/console/experts");
        assertThat(score(expert)).isEqualTo(String.format(Locale.ROOT, "%.4f", before.at("/scores/" + expert).asDouble()));
        assertThat(score(SECOND_ECHO_EXPERT)).isEqualTo(
                String.format(Locale.ROOT, "%.4f", before.at("/scores/" + SECOND_ECHO_EXPERT).asDouble()));
        // A refused query shows its reason in place (htmx), and as a 400 page without script.
        ((JavascriptExecutor) browser).executeScript("document.getElementById('try-text').removeAttribute('required')");
        tryQuery("   ");
        assertThat(wait.until(ExpectedConditions.presenceOfElementLocated(By.id("try-error"))).getText()).contains("query");
        tryQuery(COOKING_QUESTION);
        wait.until(d -> d.findElements(By.id("decision-expert")).size() == 1);
        HttpResponse<String> blank = sessionPost("/console/experts/try", "query=+");
        assertThat(blank.statusCode()).isEqualTo(400);
        assertThat(blank.body()).contains("id=\"try-error\"", "query", "non-blank");
        browser.manage().window().setSize(new Dimension(1280, 900));
        screenshot("experts-carol-1280");
        narrow(() -> screenshot("experts-carol-narrow"));

        // Disabled: the router no longer picks it nor scores it, for the API and for the console's trial.
        browser.findElement(By.cssSelector("#experts tr[data-expert='" + expert + "'] .toggle-expert")).click();
        wait.until(d -> d.findElement(By.cssSelector("#experts tr[data-expert='" + expert + "'] .state")).getText().equals("disabled"));
        JsonNode disabled = route(COOKING_QUESTION);
        assertThat(disabled.get("expert").asString()).isNotEqualTo(expert);
        assertThat(disabled.get("scores").has(expert)).isFalse();
        tryQuery(COOKING_QUESTION);
        wait.until(d -> !d.findElement(By.id("decision-expert")).getText().equals(expert));
        assertThat(browser.findElements(By.cssSelector("#scores tr[data-expert='" + expert + "']"))).isEmpty();

        HttpResponse<String> missing = sessionGet("/console/experts/no-such-expert");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).contains("id=\"expert-error\"", "No expert", "no-such-expert");

        // Its own page: add an example, edit a field, enable it again.
        browser.findElement(By.cssSelector("#experts tr[data-expert='" + expert + "'] .open-expert")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("add-example")));
        assertThat(text("expert-state")).isEqualTo("disabled");
        browser.findElement(By.id("example-text")).sendKeys("How do I poach an egg without it falling apart?");
        browser.findElement(By.id("add-example-submit")).click();
        wait.until(d -> d.findElement(By.id("example-count")).getText().equals(String.valueOf(COOKING.length + 1)));
        assertThat(jdbc.sql("select count(*) from routing_example where expert_id = ? and text = ?")
                .params(expert, "How do I poach an egg without it falling apart?").query(Long.class).single()).isEqualTo(1);

        WebElement weight = browser.findElement(By.id("expert-cost-weight"));
        weight.clear();
        weight.sendKeys("cheap");
        browser.findElement(By.id("save-expert")).click();
        assertThat(wait.until(ExpectedConditions.presenceOfElementLocated(By.id("expert-error"))).getText()).contains("costWeight");
        WebElement description = browser.findElement(By.id("expert-description"));
        description.clear();
        description.sendKeys("Recipes and kitchen questions");
        weight = browser.findElement(By.id("expert-cost-weight"));
        weight.clear();
        weight.sendKeys("0.5");
        browser.findElement(By.id("save-expert")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("expert-notice")));
        JsonNode stored = json(get("/admin/api/experts/" + expert, devToken("demo-admin")));
        assertThat(stored.get("description").asString()).isEqualTo("Recipes and kitchen questions");
        assertThat(stored.get("costWeight").asDouble()).isEqualTo(0.5);
        assertThat(stored.get("enabled").asBoolean()).as("an edit keeps the expert disabled").isFalse();
        assertThat(stored.get("examples").asInt()).isEqualTo(COOKING.length + 1);

        browser.findElement(By.id("toggle-expert")).click();
        wait.until(d -> d.findElement(By.id("expert-state")).getText().equals("enabled"));
        assertThat(route(COOKING_QUESTION).get("expert").asString()).isEqualTo(expert);
        browser.manage().window().setSize(new Dimension(1280, 900));
        screenshot("expert-carol-1280");
        narrow(() -> screenshot("expert-carol-narrow"));
        ((JavascriptExecutor) browser).executeScript("document.getElementById('add-example').scrollIntoView()");
        screenshot("expert-examples-carol-1280");

        String added = browser.findElement(By.xpath("//tr[td[@class='example-text' and text()='How do I poach an egg without it falling apart?']]"))
                .getAttribute("data-example-id");
        browser.findElement(By.cssSelector("tr[data-example-id='" + added + "'] .delete-example")).click();
        wait.until(d -> d.findElement(By.id("example-count")).getText().equals(String.valueOf(COOKING.length)));
    }

    @Test
    void userManagesOnlyHerOwnKeysAndIsRefusedRolesAndExpertsByTheServer() {
        // Carol's own key, issued on her my-keys page; the copy button puts the secret on the clipboard.
        signIn("carol");
        browser.findElement(By.id("nav-my-keys")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("issue")));
        String carolsName = "carol-own-" + UUID.randomUUID().toString().substring(0, 8);
        browser.findElement(By.id("key-name")).sendKeys(carolsName);
        browser.findElement(By.id("issue-key")).click();
        String carolsSecret = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("issued-secret"))).getText();
        ((ChromiumDriver) browser).executeCdpCommand("Browser.grantPermissions", Map.of(
                "origin", base(), "permissions", List.of("clipboardReadWrite", "clipboardSanitizedWrite")));
        browser.findElement(By.id("copy-secret")).click();
        wait.until(d -> d.findElement(By.cssSelector("#issued .copy-status")).getText().equals("Copied."));
        Object clipboard = ((JavascriptExecutor) browser).executeAsyncScript(
                "navigator.clipboard.readText().then(arguments[0], e => arguments[0]('failed: ' + e))");
        assertThat(clipboard).isEqualTo(carolsSecret);
        UUID carolsKey = jdbc.sql("select id from api_key where name = ?").param(carolsName).query(UUID.class).single();
        assertThat(jdbc.sql("select owner_subject from api_key where id = ?").param(carolsKey).query(String.class).single())
                .isEqualTo("carol");
        assertThat(get("/v1/models", carolsSecret).statusCode()).isEqualTo(200);

        // The admin keys page has the same copy button next to its once-shown secret.
        browser.findElement(By.id("nav-keys")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("issue")));
        browser.findElement(By.id("key-name")).sendKeys("copied-" + UUID.randomUUID().toString().substring(0, 8));
        browser.findElement(By.id("issue-key")).click();
        String adminSecret = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("issued-secret"))).getText();
        browser.findElement(By.id("copy-secret")).click();
        wait.until(d -> d.findElement(By.cssSelector("#issued .copy-status")).getText().equals("Copied."));
        assertThat(((JavascriptExecutor) browser).executeAsyncScript(
                "navigator.clipboard.readText().then(arguments[0], e => arguments[0]('failed: ' + e))")).isEqualTo(adminSecret);

        browser.manage().deleteAllCookies();
        signIn("alice");
        assertThat(browser.findElements(By.id("nav-roles"))).isEmpty();
        assertThat(browser.findElements(By.id("nav-experts"))).isEmpty();
        for (String page : new String[] {"/console/roles", "/console/experts", "/console/experts/" + ECHO_EXPERT}) {
            assertThat(sessionGet(page).statusCode()).as(page).isEqualTo(403);
        }
        // With a valid CSRF token from her own session, the server still refuses her the admin actions.
        assertThat(sessionPost("/console/roles", "name=alice-role&permissions=admin%3Aroles").statusCode()).isEqualTo(403);
        assertThat(jdbc.sql("select count(*) from role where name = 'alice-role'").query(Long.class).single()).isZero();
        assertThat(sessionPost("/console/experts/" + ECHO_EXPERT + "/enabled", "enabled=false").statusCode()).isEqualTo(403);
        assertThat(sessionPost("/console/experts/try", "query=hello").statusCode()).isEqualTo(403);
        assertThat(jdbc.sql("select enabled from expert where id = ?").param(ECHO_EXPERT).query(Boolean.class).single()).isTrue();

        browser.findElement(By.id("nav-my-keys")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("issue")));
        assertThat(browser.getPageSource()).doesNotContain(carolsName);

        // A role she does not hold is refused, naming the field; nothing is written.
        String refused = "alice-admin-" + UUID.randomUUID().toString().substring(0, 8);
        browser.findElement(By.id("key-name")).sendKeys(refused);
        browser.findElement(By.id("key-roles")).clear();
        browser.findElement(By.id("key-roles")).sendKeys("user, admin");
        browser.findElement(By.id("issue-key")).click();
        assertThat(wait.until(ExpectedConditions.presenceOfElementLocated(By.id("key-error"))).getText())
                .contains("roles[1]", "admin", "only roles you hold");
        assertThat(jdbc.sql("select count(*) from api_key where name = ?").param(refused).query(Long.class).single()).isZero();

        String name = "alice-own-" + UUID.randomUUID().toString().substring(0, 8);
        browser.findElement(By.id("key-name")).clear();
        browser.findElement(By.id("key-name")).sendKeys(name);
        browser.findElement(By.id("key-roles")).clear();
        browser.findElement(By.id("key-roles")).sendKeys("user");
        browser.findElement(By.id("issue-key")).click();
        String secret = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("issued-secret"))).getText();
        assertThat(get("/v1/models", secret).statusCode()).isEqualTo(200);
        assertThat(browser.findElement(By.cssSelector("tr[data-key-name='" + name + "']")).getText()).contains("user", "active");

        // Without the Clipboard API the copy button selects the secret for Ctrl+C.
        ((JavascriptExecutor) browser).executeScript("Object.defineProperty(navigator, 'clipboard', {value: undefined})");
        browser.findElement(By.id("copy-secret")).click();
        assertThat(((JavascriptExecutor) browser).executeScript("return window.getSelection().toString().trim()")).isEqualTo(secret);
        assertThat(browser.findElement(By.cssSelector("#issued .copy-status")).getText()).isNotEmpty();
        browser.manage().window().setSize(new Dimension(1280, 900));
        screenshot("my-keys-alice-1280");
        narrow(() -> screenshot("my-keys-alice-narrow"));

        // Carol's key id in a forged revoke from Alice's session (valid CSRF token): refused, the key still works.
        HttpResponse<String> forged = sessionPost("/console/my-keys/" + carolsKey + "/revoke", "");
        assertThat(forged.statusCode()).isEqualTo(302);
        assertThat(jdbc.sql("select revoked_at is null from api_key where id = ?").param(carolsKey).query(Boolean.class).single()).isTrue();
        assertThat(get("/v1/models", carolsSecret).statusCode()).isEqualTo(200);
        browser.get(base() + "/console/my-keys");
        assertThat(text("key-error")).contains("You own no API key with id " + carolsKey);

        browser.findElement(By.cssSelector("tr[data-key-name='" + name + "'] .revoke")).click();
        wait.until(d -> d.findElement(By.cssSelector("tr[data-key-name='" + name + "'] .state")).getText().equals("revoked"));
        assertThat(get("/v1/models", secret).statusCode()).isEqualTo(401);
    }

    @Test
    void auditorWithoutChatCannotManageKeysRolesOrExperts() {
        signIn("bob");
        for (String area : new String[] {"nav-my-keys", "nav-roles", "nav-experts"}) {
            assertThat(browser.findElements(By.id(area))).as(area).isEmpty();
        }
        for (String page : new String[] {"/console/my-keys", "/console/roles", "/console/experts"}) {
            assertThat(sessionGet(page).statusCode()).as(page).isEqualTo(403);
        }
        String name = "bob-" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(sessionPost("/console/my-keys", "name=" + name + "&roles=auditor").statusCode()).isEqualTo(403);
        assertThat(sessionPost("/console/roles/mappings", "group=bobs&role=admin").statusCode()).isEqualTo(403);
        assertThat(jdbc.sql("select count(*) from api_key where name = ?").param(name).query(Long.class).single()).isZero();
        assertThat(jdbc.sql("select count(*) from group_mapping where group_name = 'bobs'").query(Long.class).single()).isZero();
    }

    /** A form POST with the browser's session and the CSRF token its current page carries. */
    private HttpResponse<String> sessionPost(String path, String form) {
        String token = browser.findElement(By.cssSelector("meta[name='csrf-token']")).getAttribute("content");
        String header = browser.findElement(By.cssSelector("meta[name='csrf-header']")).getAttribute("content");
        return send(HttpRequest.newBuilder(uri(path))
                .header("Cookie", "JSESSIONID=" + session())
                .header(header, token)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)));
    }

    private JsonNode route(String question) {
        HttpResponse<String> response = post("/api/route", DEMO_KEY, """
                {"messages":[{"role":"user","content":%s}]}""".formatted(JSON.writeValueAsString(question)));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json(response);
    }

    private void tryQuery(String query) {
        WebElement box = browser.findElement(By.id("try-text"));
        box.clear();
        box.sendKeys(query);
        browser.findElement(By.id("try-submit")).click();
    }

    private String score(String expert) {
        return browser.findElement(By.cssSelector("#scores tr[data-expert='" + expert + "'] .score")).getText();
    }

    /** Runs {@code action} in a phone-sized window, then restores the usual size. */
    private void narrow(Runnable action) {
        Dimension usual = browser.manage().window().getSize();
        browser.manage().window().setSize(new Dimension(420, 900));
        try {
            action.run();
        } finally {
            browser.manage().window().setSize(usual);
        }
    }
}
