package ai.ensemble.hardening;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import ai.ensemble.support.GatewayTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The headers a browser gets, over plain HTTP: console pages carry a strict Content-Security-Policy
 * (scripts and styles from this origin only, no framing, no plugins), a Referrer-Policy and a
 * Permissions-Policy on top of Spring Security's defaults; the API answers with nosniff, no caching
 * and no session cookie; HSTS is only sent over TLS. The console's templates keep no inline script,
 * style or event handler, which that policy would block.
 */
class SecurityHeadersTest extends GatewayTest {

    private static final Path CONSOLE_TEMPLATES = Path.of("src", "main", "resources", "templates", "console");

    @Test
    void consolePagesSendAStrictContentSecurityPolicyAndTheOtherBrowserHeaders() {
        for (String path : List.of("/console/signed-out", "/console", "/console/console.js")) {
            HttpResponse<String> response = get(path, null);
            assertThat(response.statusCode()).as(path).isIn(200, 302);
            String policy = header(response, "Content-Security-Policy");
            assertThat(directives(policy)).as(path + ": " + policy).contains(
                    "default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'",
                    "base-uri 'self'", "frame-ancestors 'none'");
            assertThat(policy).as(path).doesNotContain("unsafe-inline", "unsafe-eval", "*");
            assertThat(directives(policy)).as(path).anyMatch(directive -> directive.startsWith("form-action 'self'"));
            assertThat(header(response, "X-Content-Type-Options")).as(path).isEqualTo("nosniff");
            assertThat(header(response, "X-Frame-Options")).as(path).isEqualTo("DENY");
            assertThat(header(response, "Cache-Control")).as(path).contains("no-store");
            assertThat(header(response, "Referrer-Policy")).as(path).isEqualTo("same-origin");
            assertThat(header(response, "Permissions-Policy")).as(path).contains("camera=()", "microphone=()", "geolocation=()");
            assertThat(response.headers().firstValue("Strict-Transport-Security")).as(path + " over plain HTTP").isEmpty();
        }
        HttpResponse<String> page = get("/console/signed-out", null);
        assertThat(page.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/html");
    }

    @Test
    void theApiAnswersWithNosniffNoCachingAndNoSession() {
        for (String bearer : new String[] {DEMO_KEY, null}) {
            HttpResponse<String> response = get("/v1/models", bearer);
            assertThat(response.statusCode()).isEqualTo(bearer == null ? 401 : 200);
            assertThat(header(response, "X-Content-Type-Options")).isEqualTo("nosniff");
            assertThat(header(response, "X-Frame-Options")).isEqualTo("DENY");
            assertThat(header(response, "Cache-Control")).contains("no-store");
            assertThat(response.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/json");
            assertThat(response.headers().allValues("Set-Cookie")).as("the API keeps no session").isEmpty();
            assertThat(response.headers().firstValue("Strict-Transport-Security")).as("over plain HTTP").isEmpty();
        }
    }

    /** Inline code would be blocked by the console's policy: scripts and styles go in files under /console. */
    @Test
    void consoleTemplatesHaveNoInlineScriptsStylesOrEventHandlers() throws IOException {
        Pattern inline = Pattern.compile(
                "<script(?![^>]*\\bth:src=|[^>]*\\bsrc=|[^>]*\\btype=\"application/json\")[^>]*>|<style\\b|\\s(th:)?style\\s*=|\\son[a-z]+\\s*=|[\"'|]on[a-z]+=|\\shx-on[:-]|javascript:",
                Pattern.CASE_INSENSITIVE);
        List<String> found = new ArrayList<>();
        try (Stream<Path> templates = Files.list(CONSOLE_TEMPLATES)) {
            for (Path template : templates.filter(file -> file.toString().endsWith(".html")).sorted().toList()) {
                List<String> lines = Files.readAllLines(template);
                for (int i = 0; i < lines.size(); i++) {
                    if (inline.matcher(lines.get(i)).find()) {
                        found.add(template.getFileName() + ":" + (i + 1) + ": " + lines.get(i).strip());
                    }
                }
            }
        }
        assertThat(found).as("inline scripts, styles or handlers; move them to console.js / console.css").isEmpty();
    }

    private static String header(HttpResponse<?> response, String name) {
        return response.headers().firstValue(name).orElseThrow(() -> new AssertionError("no " + name + " header"));
    }

    private static List<String> directives(String policy) {
        return Stream.of(policy.split(";")).map(String::strip).toList();
    }
}
