package ai.ensemble.console;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import javax.sql.DataSource;

import ai.ensemble.audit.internal.AuditSeries;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard's charts and breakdowns, and the audit page's chain verification, export and
 * request detail, in a real browser against the real audit log. Guardrail findings come from a
 * policy scoped to a role of this class's own, so the rest of the suite is untouched.
 */
class DashboardAuditConsoleTest extends ConsoleBrowserSupport {

    private static final String CARD = "4111 1111 1111 1111";
    private static final String EMAIL = "ann@example.com";

    @Autowired
    private DataSource dataSource;

    /** Back to the support class's window size for whatever runs next in this browser. */
    @AfterEach
    void defaultWindow() {
        browser.manage().window().setSize(new Dimension(1400, 900));
    }

    /** A fresh role (chat with both echo experts, one of them trained for routing), an API key with it, and a policy that flags e-mail and blocks cards for it. */
    private record Guarded(String role, String key, String policy, String admin) {
    }

    private Guarded guarded() {
        String admin = devToken("demo-admin");
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String role = "dash-" + suffix;
        HttpResponse<String> created = post("/admin/api/roles", admin, """
                {"name":"%s","permissions":["chat","expert:%s","expert:%s"]}""".formatted(role, ECHO_EXPERT, SECOND_ECHO_EXPERT));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        HttpResponse<String> key = post("/admin/api/keys", admin, """
                {"name":"%s key","roles":["%s"]}""".formatted(role, role));
        assertThat(key.statusCode()).as(key.body()).isEqualTo(201);
        String policy = "dash-pii-" + suffix;
        HttpResponse<String> posted = post("/admin/api/policies", admin, """
                {"id":"%s","roles":["%s"],"stages":["input","output"],"detectors":["email","credit-card"],
                 "actions":{"credit_card":"block"},"defaultAction":"flag"}""".formatted(policy, role));
        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(201);
        return new Guarded(role, json(key).get("key").asString(), policy, admin);
    }

    private void remove(Guarded guarded) {
        assertThat(delete("/admin/api/policies/" + guarded.policy(), guarded.admin()).statusCode()).isEqualTo(200);
    }

    private HttpResponse<String> chat(String bearer, String model, String text) {
        return post("/v1/chat/completions", bearer, """
                {"model":"%s","messages":[{"role":"user","content":"%s"}]}""".formatted(model, text));
    }

    private static String requestId(HttpResponse<String> response) {
        return response.headers().firstValue("X-Request-Id").orElseThrow();
    }

    private JsonNode pageData() {
        Object data = ((JavascriptExecutor) browser).executeScript("return document.getElementById('dashboard-data').getAttribute('data-json')");
        return JSON.readTree((String) data);
    }

    private static long sum(JsonNode column) {
        long sum = 0;
        for (JsonNode value : column) {
            sum += value.asLong();
        }
        return sum;
    }

    private long count(String sql, Object... parameters) {
        return jdbc.sql(sql).params(parameters).query(Long.class).single();
    }

    private static Object at(JsonNode data, String field) {
        return Instant.parse(data.get(field).asString()).atOffset(ZoneOffset.UTC);
    }

    private String csrf() {
        return browser.findElement(By.cssSelector("meta[name=csrf-token]")).getAttribute("content");
    }

    private HttpResponse<String> sessionPost(String path, String form, boolean withCsrf) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).header("Cookie", "JSESSIONID=" + session())
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form));
        if (withCsrf) {
            request.header("X-CSRF-TOKEN", csrf());
        }
        return send(request);
    }

    @Test
    void auditorSeesChartsDrawnFromSeriesThatMatchTheLogAndABreakdownByExpertRoleAndApp() {
        Guarded guarded = guarded();
        try {
            assertThat(chat(DEMO_KEY, ECHO_EXPERT, "dashboard plain request").statusCode()).isEqualTo(200);
            HttpResponse<String> flagged = chat(guarded.key(), ECHO_EXPERT, "write to " + EMAIL + " today");
            assertThat(flagged.statusCode()).as(flagged.body()).isEqualTo(200);
            HttpResponse<String> blocked = chat(guarded.key(), ECHO_EXPERT, "charge " + CARD + " please");
            assertThat(blocked.statusCode()).as(blocked.body()).isEqualTo(400);

            signIn("bob");
            browser.manage().window().setSize(new Dimension(1280, 900));
            browser.get(base() + "/console?range=1h");
            for (String chart : new String[] {"chart-traffic", "chart-tokens", "chart-latency"}) {
                wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#" + chart + "[data-drawn=true] canvas")));
                WebElement canvas = browser.findElement(By.cssSelector("#" + chart + " canvas"));
                assertThat(canvas.getSize().getWidth()).as(chart).isGreaterThan(200);
                assertThat(browser.findElements(By.cssSelector("#" + chart + " .u-legend"))).as(chart + " legend").hasSize(1);
            }
            JsonNode data = pageData();
            assertThat(data.get("scope").asString()).isEqualTo("all");
            assertThat(data.get("bucketSeconds").asLong()).isEqualTo(60);
            JsonNode series = data.get("series");
            assertThat(series.get("t")).hasSize(61); // an hour of minutes and the current one

            // What the charts were given adds up to what the log holds over the same window.
            Object from = at(data, "from");
            Object to = at(data, "to");
            long requests = count("select count(*) from audit_event where kind = 'request' and recorded_at >= ? and recorded_at < ?", from, to);
            long flaggedCount = count("select count(distinct request_id) from audit_event where guardrail_action = 'flag'"
                    + " and kind = 'response' and recorded_at >= ? and recorded_at < ?", from, to);
            long blockedCount = count("select count(distinct request_id) from audit_event where guardrail_action = 'block'"
                    + " and kind = 'response' and recorded_at >= ? and recorded_at < ?", from, to);
            long errors = count("select count(*) from audit_event where kind = 'response' and (status < 200 or status > 299)"
                    + " and recorded_at >= ? and recorded_at < ?", from, to);
            long tokens = count("select coalesce(sum(coalesce((replace(record, '\\u0000', '\\ufffd')::jsonb->'body'->>'prompt_tokens')::bigint, 0)"
                    + " + coalesce((replace(record, '\\u0000', '\\ufffd')::jsonb->'body'->>'completion_tokens')::bigint, 0)), 0) from audit_event"
                    + " where kind = 'response' and recorded_at >= ? and recorded_at < ?", from, to);
            assertThat(requests).isGreaterThanOrEqualTo(3);
            assertThat(sum(series.get("requests"))).isEqualTo(requests).isEqualTo(Long.parseLong(text("requests")));
            assertThat(sum(series.get("flagged"))).isEqualTo(flaggedCount).isEqualTo(Long.parseLong(text("flagged"))).isPositive();
            assertThat(sum(series.get("blocked"))).isEqualTo(blockedCount).isEqualTo(Long.parseLong(text("blocked"))).isPositive();
            assertThat(sum(series.get("errors"))).isEqualTo(errors).isEqualTo(Long.parseLong(text("errors"))).isPositive();
            assertThat(sum(series.get("tokens"))).isEqualTo(tokens).isEqualTo(Long.parseLong(text("tokens"))).isPositive();

            // The blocked request falls in the bucket of the minute it was recorded in.
            Instant blockedAt = jdbc.sql("select recorded_at from audit_event where request_id = ? and kind = 'response'")
                    .params(requestId(blocked)).query(Timestamp.class).single().toInstant();
            int bucket = -1;
            for (int i = 0; i < series.get("t").size(); i++) {
                if (series.get("t").get(i).asLong() == blockedAt.getEpochSecond() / 60 * 60) {
                    bucket = i;
                }
            }
            assertThat(bucket).as("bucket of " + blockedAt).isNotNegative();
            assertThat(series.get("blocked").get(bucket).asLong()).isPositive();
            assertThat(series.get("p95").get(bucket).isNumber()).as("latency in the blocked request's bucket").isTrue();
            assertThat(series.get("p95").get(bucket).asDouble()).isGreaterThanOrEqualTo(series.get("p50").get(bucket).asDouble());

            // Breakdowns: the echo expert, and this class's role with exactly its two requests.
            WebElement expert = browser.findElement(By.cssSelector("#breakdown-expert tr[data-key='" + ECHO_EXPERT + "']"));
            assertThat(Long.parseLong(expert.findElement(By.className("requests")).getText())).isGreaterThanOrEqualTo(3);
            List<String> role = browser.findElement(By.cssSelector("#breakdown-role tr[data-key='" + guarded.role() + "']"))
                    .findElements(By.tagName("td")).stream().map(WebElement::getText).toList();
            assertThat(role.subList(0, 2)).containsExactly(guarded.role(), "2");
            assertThat(role.get(3)).as("blocked").isEqualTo("1");
            assertThat(role.get(4)).as("flagged").isEqualTo("1");
            assertThat(role.get(5)).as("errors").isEqualTo("1");
            assertThat(browser.findElements(By.cssSelector("#breakdown-app tbody tr"))).isNotEmpty();
            JsonNode roleShare = null;
            for (JsonNode share : data.at("/breakdown/role")) {
                if (share.get("key").asString().equals(guarded.role())) {
                    roleShare = share;
                }
            }
            assertThat(roleShare).isNotNull();
            assertThat(roleShare.get("requests").asLong()).isEqualTo(2);
            screenshot("dashboard-bob-1280");
            ((JavascriptExecutor) browser).executeScript("document.querySelector('.breakdowns').scrollIntoView()");
            screenshot("dashboard-bob-1280-breakdowns");

            browser.manage().window().setSize(new Dimension(420, 900));
            try {
                browser.navigate().refresh();
                wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#chart-latency[data-drawn=true] canvas")));
                long pageWidth = (Long) ((JavascriptExecutor) browser).executeScript("return document.documentElement.scrollWidth");
                long viewport = (Long) ((JavascriptExecutor) browser).executeScript("return document.documentElement.clientWidth");
                assertThat(pageWidth).as("no sideways scrolling on a narrow window").isLessThanOrEqualTo(viewport);
                assertThat(browser.findElement(By.cssSelector("#chart-traffic canvas")).getSize().getWidth()).isLessThanOrEqualTo((int) viewport);
                screenshot("dashboard-bob-narrow");
            } finally {
                browser.manage().window().setSize(new Dimension(1280, 900));
            }

            // The same data as JSON with the session; a bad range is refused naming the parameter.
            HttpResponse<String> served = sessionGet("/console/dashboard/data?range=1h");
            assertThat(served.statusCode()).isEqualTo(200);
            assertThat(sum(json(served).at("/series/requests"))).isGreaterThanOrEqualTo(requests);
            HttpResponse<String> bad = sessionGet("/console/dashboard/data?range=2h");
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(json(bad).at("/error/param").asString()).isEqualTo("range");
            assertThat(json(bad).at("/error/message").asString()).contains("1h, 24h, 7d, 30d");
            assertThat(sessionGet("/console?range=2h").statusCode()).isEqualTo(400);
        } finally {
            remove(guarded);
        }
    }

    @Test
    void aUserSeesOnlyHerOwnRequestsAndIsRefusedTheAuditTools() {
        String alice = ISSUER.token().subject("alice").groups("ensemble-users").sign();
        assertThat(chat(alice, ECHO_EXPERT, "alice asks for herself").statusCode()).isEqualTo(200);
        assertThat(chat(alice, ECHO_EXPERT, "alice asks again").statusCode()).isEqualTo(200);
        assertThat(chat(DEMO_KEY, ECHO_EXPERT, "someone else asks").statusCode()).isEqualTo(200);

        signIn("bob");
        browser.get(base() + "/console?range=1h");
        long everyone = Long.parseLong(text("requests"));
        JsonNode bobs = pageData();

        signedOut();
        signIn("alice");
        browser.get(base() + "/console?range=1h");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#chart-traffic[data-drawn=true] canvas")));
        assertThat(text("scope")).isEqualTo("Your own requests.");
        JsonNode data = pageData();
        assertThat(data.get("scope").asString()).isEqualTo("own");
        long own = count("select count(*) from audit_event where kind = 'request' and subject = 'alice'"
                + " and recorded_at >= ? and recorded_at < ?", at(data, "from"), at(data, "to"));
        assertThat(own).isGreaterThanOrEqualTo(2);
        assertThat(Long.parseLong(text("requests"))).isEqualTo(own).isLessThan(everyone);
        assertThat(sum(data.at("/series/requests"))).isEqualTo(own).isLessThan(sum(bobs.at("/series/requests")));
        for (JsonNode share : data.at("/breakdown/role")) {
            assertThat(share.get("key").asString()).as("alice's requests carry only her roles").isEqualTo("user");
        }
        screenshot("dashboard-alice-1h");

        // The server refuses the audit tools to her session, with a valid CSRF token (so the permission is what refuses).
        assertThat(sessionGet("/console/audit/export?format=csv").statusCode()).isEqualTo(403);
        assertThat(sessionPost("/console/audit/verify", "", true).statusCode()).isEqualTo(403);
        assertThat(sessionGet("/console/audit/requests/" + UUID.randomUUID()).statusCode()).isEqualTo(403);
        assertThat(sessionGet("/console/dashboard/data?range=1h").statusCode()).isEqualTo(200);
    }

    @Test
    void auditorVerifiesTheChainAndExportsWhatTheFiltersMatchWhichIsItselfAudited() {
        String marker = "dashexport" + UUID.randomUUID().toString().replace("-", "");
        assertThat(chat(DEMO_KEY, ECHO_EXPERT, marker + " to export").statusCode()).isEqualTo(200);
        signIn("bob");
        browser.manage().window().setSize(new Dimension(1280, 900));
        browser.get(base() + "/console/audit");
        browser.findElement(By.id("verify-chain")).click();
        WebElement result = wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#verify-result.ok #verify-checked")));
        assertThat(Long.parseLong(result.getText())).isGreaterThanOrEqualTo(2);
        assertThat(text("verify-result")).startsWith("Chain intact");
        screenshot("audit-tools-bob-1280");
        browser.manage().window().setSize(new Dimension(420, 900));
        try {
            for (String control : new String[] {"verify-chain", "export-csv", "export-jsonl", "search"}) {
                assertThat(browser.findElement(By.id(control)).isDisplayed()).as(control).isTrue();
            }
            long pageWidth = (Long) ((JavascriptExecutor) browser).executeScript("return document.documentElement.scrollWidth");
            long viewport = (Long) ((JavascriptExecutor) browser).executeScript("return document.documentElement.clientWidth");
            assertThat(pageWidth).as("the results table scrolls inside its box, not the page").isLessThanOrEqualTo(viewport);
            screenshot("audit-tools-bob-narrow");
        } finally {
            browser.manage().window().setSize(new Dimension(1280, 900));
        }

        // Without the CSRF token the session cannot run it; with a bad range it is refused, naming the field.
        assertThat(sessionPost("/console/audit/verify", "", false).statusCode()).isEqualTo(403);
        HttpResponse<String> badRange = sessionPost("/console/audit/verify", "from=yesterday", true);
        assertThat(badRange.statusCode()).isEqualTo(400);
        assertThat(badRange.body()).contains("&#39;from&#39; must be a date and time");

        // The export links follow the form as typed, without a search first.
        browser.findElement(By.name("q")).sendKeys(marker);
        browser.findElement(By.name("kind")).sendKeys("request");
        String href = (String) ((JavascriptExecutor) browser).executeScript("""
                var link = document.getElementById('export-jsonl');
                link.addEventListener('click', function (e) { e.preventDefault(); });
                link.click();
                return link.getAttribute('href');""");
        assertThat(href).startsWith("/console/audit/export?").contains("q=" + marker).contains("kind=request").contains("format=jsonl");
        HttpResponse<String> jsonl = sessionGet(href);
        assertThat(jsonl.statusCode()).isEqualTo(200);
        assertThat(jsonl.headers().firstValue("Content-Disposition").orElseThrow()).startsWith("attachment; filename=\"audit-");
        String[] lines = jsonl.body().strip().split("\n");
        assertThat(lines).hasSize(1);
        assertThat(JSON.readTree(lines[0]).get("record").asString()).contains(marker).contains("\"kind\":\"request\"");

        HttpResponse<String> csv = sessionGet("/console/audit/export?format=csv&q=" + marker);
        assertThat(csv.statusCode()).isEqualTo(200);
        assertThat(csv.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/csv");
        assertThat(csv.body().split("\r\n")).hasSize(3); // header, request, response
        assertThat(csv.body()).startsWith("seq,recorded_at,request_id").contains(marker);

        long exports = count("select count(*) from audit_event where kind = 'access' and subject = 'bob'"
                + " and replace(record, '\\u0000', '\\ufffd')::jsonb->>'endpoint' = '/console/audit/export' and replace(record, '\\u0000', '\\ufffd')::jsonb->'body'->'filters'->>'q' = ?", marker);
        assertThat(exports).as("each export is an access event with its filters").isEqualTo(2);

        // A bad filter is refused, naming it, and nothing is recorded for it.
        long accessesBefore = count("select count(*) from audit_event where kind = 'access' and subject = 'bob'");
        HttpResponse<String> badFormat = sessionGet("/console/audit/export?format=xml&q=" + marker);
        assertThat(badFormat.statusCode()).isEqualTo(400);
        assertThat(badFormat.body()).contains("'format' must be jsonl or csv");
        assertThat(sessionGet("/console/audit/export?colour=red").body()).contains("Unknown query parameter 'colour'");
        assertThat(count("select count(*) from audit_event where kind = 'access' and subject = 'bob'")).isEqualTo(accessesBefore);
    }

    @Test
    void theRequestDetailShowsPromptOutputRoutingAndTheFindingsMarkedInTheText() {
        Guarded guarded = guarded();
        try {
            HttpResponse<String> flagged = chat(guarded.key(), "auto", "please write to " + EMAIL + " about the invoice");
            assertThat(flagged.statusCode()).as(flagged.body()).isEqualTo(200);
            HttpResponse<String> blocked = chat(guarded.key(), ECHO_EXPERT, "charge " + CARD + " please");
            assertThat(blocked.statusCode()).isEqualTo(400);

            signIn("bob");
            browser.manage().window().setSize(new Dimension(1280, 900));
            browser.get(base() + "/console/audit/requests/" + requestId(flagged));
            wait.until(ExpectedConditions.presenceOfElementLocated(By.id("summary")));
            List<WebElement> promptMarks = browser.findElements(By.cssSelector("#prompt mark.finding"));
            assertThat(promptMarks).hasSize(1);
            assertThat(promptMarks.getFirst().getText()).isEqualTo(EMAIL);
            assertThat(promptMarks.getFirst().getAttribute("class")).contains("flag");
            assertThat(promptMarks.getFirst().getAttribute("title")).contains("EMAIL").contains(guarded.policy());
            assertThat(browser.findElement(By.id("prompt")).getText()).contains("please write to " + EMAIL + " about the invoice");
            // The echo expert repeats the prompt, so the output policy flagged the same address there.
            List<WebElement> outputMarks = browser.findElements(By.cssSelector("#output mark.finding"));
            assertThat(outputMarks).extracting(WebElement::getText).containsExactly(EMAIL);
            assertThat(browser.findElements(By.cssSelector("#verdicts tr.verdict"))).hasSize(2);
            assertThat(text("detail-status")).isEqualTo("200");
            assertThat(text("detail-guardrail")).isEqualTo("flag");
            // Routed automatically: the trained echo expert is the only one with a score for this role.
            String routed = text("detail-expert");
            assertThat(routed).isEqualTo(SECOND_ECHO_EXPERT);
            assertThat(text("detail-tokens")).matches("\\d+ prompt \\+ \\d+ completion");
            assertThat(text("detail-latency")).endsWith(" ms");
            assertThat(browser.findElement(By.id("routing")).getText()).contains("auto").contains(routed);
            WebElement score = browser.findElement(By.cssSelector("#routing-scores tr[data-expert='" + routed + "']"));
            assertThat(score.findElements(By.tagName("strong"))).as("the chosen expert stands out").hasSize(1);
            assertThat(Double.parseDouble(score.findElement(By.className("requests")).getText())).isBetween(0.0, 1.0);
            screenshot("audit-detail-bob-1280");
            ((JavascriptExecutor) browser).executeScript("document.getElementById('routing').scrollIntoView()");
            screenshot("audit-detail-bob-1280-routing");
            browser.manage().window().setSize(new Dimension(420, 900));
            try {
                browser.navigate().refresh();
                wait.until(ExpectedConditions.presenceOfElementLocated(By.id("summary")));
                long pageWidth = (Long) ((JavascriptExecutor) browser).executeScript("return document.documentElement.scrollWidth");
                long viewport = (Long) ((JavascriptExecutor) browser).executeScript("return document.documentElement.clientWidth");
                assertThat(pageWidth).as("no sideways scrolling on a narrow window").isLessThanOrEqualTo(viewport);
                screenshot("audit-detail-bob-narrow");
            } finally {
                browser.manage().window().setSize(new Dimension(1280, 900));
            }
            assertThat(count("select count(*) from audit_event where kind = 'access' and subject = 'bob' and request_id = ?",
                    requestId(flagged))).as("each opening is audited").isEqualTo(2);

            browser.get(base() + "/console/audit/requests/" + requestId(blocked));
            wait.until(ExpectedConditions.presenceOfElementLocated(By.id("summary")));
            WebElement card = browser.findElement(By.cssSelector("#prompt mark.finding.block"));
            assertThat(card.getText()).isEqualTo(CARD);
            assertThat(text("detail-status")).isEqualTo("400");
            assertThat(text("detail-error")).contains(guarded.policy());
            assertThat(browser.findElements(By.cssSelector("#output mark"))).isEmpty();
        } finally {
            remove(guarded);
        }
    }

    /**
     * The dashboard's range query, planned by the real database for a one-hour window: only the
     * partitions of the months it overlaps are read, and with sequential scans off it is answered
     * through an index on {@code recorded_at} (so a large log does not force a full read).
     */
    @Test
    void theSeriesQueryReadsOnlyTheRangesMonthsThroughTheTimeIndex() throws Exception {
        Instant to = Instant.now();
        Instant from = to.minus(Duration.ofHours(1));
        List<String> plan = new ArrayList<>();
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                try (Statement off = connection.createStatement()) {
                    off.execute("set local enable_seqscan = off");
                }
                try (PreparedStatement explain = connection.prepareStatement("explain " + AuditSeries.SERIES)) {
                    explain.setDouble(1, 60);
                    explain.setObject(2, from.atOffset(ZoneOffset.UTC));
                    explain.setObject(3, from.atOffset(ZoneOffset.UTC));
                    explain.setObject(4, to.atOffset(ZoneOffset.UTC));
                    explain.setNull(5, java.sql.Types.VARCHAR);
                    explain.setNull(6, java.sql.Types.VARCHAR);
                    try (ResultSet rows = explain.executeQuery()) {
                        while (rows.next()) {
                            plan.add(rows.getString(1));
                        }
                    }
                }
            } finally {
                connection.rollback();
            }
        }
        String text = String.join("\n", plan);
        List<String> months = new ArrayList<>();
        for (YearMonth month = YearMonth.from(from.atZone(ZoneOffset.UTC)); !month.isAfter(YearMonth.from(to.atZone(ZoneOffset.UTC)));
             month = month.plusMonths(1)) {
            months.add("audit_event_" + month.getYear() + "_" + String.format("%02d", month.getMonthValue()));
        }
        YearMonth next = YearMonth.from(to.atZone(ZoneOffset.UTC)).plusMonths(1);
        assertThat(text).as(text).contains(months.getFirst())
                .doesNotContain("audit_event_" + next.getYear() + "_" + String.format("%02d", next.getMonthValue()))
                .containsPattern("Index (Only )?Scan|Bitmap Index Scan")
                .doesNotContain("Seq Scan");
    }
}
