package ai.ensemble.console;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

import ai.ensemble.support.GatewayTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A real browser for console tests (Debian's headless chromium through Selenium), one per test
 * class, with the dev identity provider's sign-in and a few helpers. Skipped, with a message, where
 * chromium is missing.
 */
abstract class ConsoleBrowserSupport extends GatewayTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Path SCREENSHOTS = Path.of("target", "console-screenshots");

    static ChromeDriverService service;
    static WebDriver browser;
    static WebDriverWait wait;

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
        // A form's POST and redirect replace the page under a condition being checked: look again.
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
        Files.createDirectories(SCREENSHOTS);
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.quit();
            browser = null;
        }
        if (service != null) {
            service.stop();
            service = null;
        }
    }

    @BeforeEach
    void signedOut() {
        browser.get(base() + "/console/signed-out");
        browser.manage().deleteAllCookies();
    }

    /** Through the whole flow: console → authorization endpoint → the IdP's login form → back with a code. */
    void signIn(String user) {
        browser.get(base() + "/console");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.name("username"))).sendKeys(user);
        browser.findElement(By.name("password")).sendKeys("demo");
        browser.findElement(By.cssSelector("button[type=submit]")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("who")));
        assertThat(browser.getCurrentUrl()).startsWith(base() + "/console");
    }

    /** The dev IdP accepts loopback redirect URIs on any port only for the IP, not for "localhost". */
    String base() {
        return "http://127.0.0.1:" + port;
    }

    /** The element's text, looked up again if the page was replaced while reading it. */
    String text(String id) {
        return wait.until(driver -> driver.findElement(By.id(id)).getText());
    }

    String session() {
        return browser.manage().getCookieNamed("JSESSIONID").getValue();
    }

    /** A direct request with the browser's session, to see the server's own answer (not what the page shows). */
    HttpResponse<String> sessionGet(String path) {
        return send(HttpRequest.newBuilder(uri(path)).header("Cookie", "JSESSIONID=" + session()).GET());
    }

    void screenshot(String name) {
        Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
        try {
            Files.copy(shot, SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
