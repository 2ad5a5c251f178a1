package ai.ensemble.console;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chromium.HasCdp;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console works under its strict Content-Security-Policy in a real browser: every page an
 * auditor and an admin open, the htmx requests and the auto-submitting range filter run without a
 * single violation (a listener installed before any page script records each one the browser reports).
 */
class ConsoleContentSecurityPolicyTest extends ConsoleBrowserSupport {

    private static final String RECORD_VIOLATIONS = """
            window.__cspViolations = [];
            document.addEventListener('securitypolicyviolation', function (e) {
              window.__cspViolations.push(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline')
                + ' at ' + e.sourceFile + ':' + e.lineNumber);
            });""";

    @BeforeEach
    void recordViolations() {
        ((HasCdp) browser).executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", RECORD_VIOLATIONS));
    }

    @Test
    void auditorPagesAndTheirHtmxRequestsRunWithoutViolations() {
        signIn("bob");
        assertThat(sessionGet("/console").headers().firstValue("Content-Security-Policy").orElseThrow())
                .contains("script-src 'self'");
        assertNoViolations("dashboard");
        new Select(browser.findElement(By.name("range"))).selectByValue("7d");
        wait.until(ExpectedConditions.urlContains("range=7d")); // the select submits its form from console.js
        assertNoViolations("dashboard after the range changed");

        browser.findElement(By.id("nav-audit")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("audit-filters")));
        browser.findElement(By.name("requestId")).sendKeys("no-such-request");
        browser.findElement(By.id("search")).click(); // an htmx request, CSRF header from console.js
        wait.until(driver -> driver.findElement(By.id("audit-rows")).getText().contains("No events match."));
        assertThat(browser.getCurrentUrl()).as("htmx swapped the rows in place").doesNotContain("no-such-request");
        assertNoViolations("audit log after an htmx search");
        screenshot("csp-audit-bob");
    }

    @Test
    void adminPagesRunWithoutViolations() {
        signIn("carol");
        for (String area : List.of("nav-audit", "nav-keys", "nav-roles", "nav-experts", "nav-policies", "nav-quotas", "nav-kbs",
                "nav-playground", "nav-my-keys", "nav-dashboard")) {
            browser.findElement(By.id(area)).click();
            wait.until(ExpectedConditions.presenceOfElementLocated(By.id("who")));
            assertNoViolations(area);
        }
    }

    private void assertNoViolations(String page) {
        Object violations = ((JavascriptExecutor) browser).executeScript("return window.__cspViolations || null;");
        assertThat(violations).as("the violation listener ran on " + page).isNotNull();
        assertThat((List<?>) violations).as("Content-Security-Policy violations on " + page).isEmpty();
    }
}
