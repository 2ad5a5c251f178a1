package ai.ensemble.console;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.UUID;

import ai.ensemble.support.GatewayTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The console in a real browser (Debian's headless chromium through Selenium): sign-in through the
 * dev identity provider's OIDC flow as each demo user, what each may see and do, and the server's
 * refusals when a page is asked for directly. Skipped, with a message, where chromium is missing.
 */
class ConsoleBrowserTest extends GatewayTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SCREENSHOTS = Path.of("target", "console-screenshots");

    private static ChromeDriverService service;
    private static WebDriver browser;
    private static WebDriverWait wait;

    /** One browser for the class (starting chromium is the slow part); each test starts without cookies. */
    @BeforeAll
    static void startBrowser() throws IOException {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "Console browser tests skipped: install Debian's chromium and chromium-driver (apt-get install -y chromium chromium-driver)");
        service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,900");
        try {
            browser = new ChromeDriver(service, options);
        } catch (RuntimeException e) {
            assumeTrue(false, "Console browser tests skipped: headless chromium does not start here: " + e.getMessage());
        }
        wait = new WebDriverWait(browser, Duration.ofSeconds(15));
        Files.createDirectories(SCREENSHOTS);
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
        if (service != null) {
            service.stop();
        }
    }

    @BeforeEach
    void signedOut() {
        browser.get(base() + "/console/signed-out");
        browser.manage().deleteAllCookies();
    }

    @Test
    void userSeesOnlyTheDashboardAndIsRefusedTheAdminPages() {
        signIn("alice");
        assertThat(text("who")).isEqualTo("alice");
        assertThat(text("roles")).isEqualTo("user");
        assertThat(browser.findElements(By.id("nav-audit"))).isEmpty();
        assertThat(browser.findElements(By.id("nav-keys"))).isEmpty();
        assertThat(browser.findElement(By.id("totals")).getText()).contains("Requests", "Tokens", "Blocked", "Flagged");
        new Select(browser.findElement(By.name("range"))).selectByValue("7d");
        wait.until(ExpectedConditions.urlContains("range=7d"));
        screenshot("dashboard-alice");

        browser.get(base() + "/console/keys");
        assertThat(browser.getPageSource()).contains("403 Forbidden");
        assertThat(sessionGet("/console/keys").statusCode()).isEqualTo(403);
        assertThat(sessionGet("/console/audit").statusCode()).isEqualTo(403);
        assertThat(sessionGet("/console/audit/requests/anything").statusCode()).isEqualTo(403);
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

        assertThat(sessionGet("/console/keys").statusCode()).isEqualTo(403);
        browser.get(base() + "/console/keys");
        assertThat(browser.getPageSource()).contains("403 Forbidden");
    }

    @Test
    void adminIssuesAKeyThatWorksOnceShownThenRevokesIt() {
        signIn("carol");
        assertThat(text("roles")).isEqualTo("admin");
        assertThat(browser.findElements(By.id("nav-audit"))).hasSize(1);
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

    /** Through the whole flow: console → authorization endpoint → the IdP's login form → back with a code. */
    private void signIn(String user) {
        browser.get(base() + "/console");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.name("username"))).sendKeys(user);
        browser.findElement(By.name("password")).sendKeys("demo");
        browser.findElement(By.cssSelector("button[type=submit]")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("who")));
        assertThat(browser.getCurrentUrl()).startsWith(base() + "/console");
    }

    /** The dev IdP accepts loopback redirect URIs on any port only for the IP, not for "localhost". */
    private String base() {
        return "http://127.0.0.1:" + port;
    }

    private String text(String id) {
        return browser.findElement(By.id(id)).getText();
    }

    private String session() {
        return browser.manage().getCookieNamed("JSESSIONID").getValue();
    }

    /** A direct request with the browser's session, to see the server's own answer (not what the page shows). */
    private HttpResponse<String> sessionGet(String path) {
        return send(HttpRequest.newBuilder(uri(path)).header("Cookie", "JSESSIONID=" + session()).GET());
    }

    private void screenshot(String name) {
        Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
        try {
            Files.copy(shot, SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
