package ai.ensemble.hardening;

import java.io.ByteArrayOutputStream;
import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ai.ensemble.support.GatewayTest;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * No secret reaches the logs. Everything the application logs (its own loggers at DEBUG, the rest
 * at their configured levels; messages, MDC and stack traces) is captured over a run that uses a
 * newly issued API key and the demo key, a JWT from the external issuer, a dev IdP access token got
 * with a client secret, a console session through the whole OIDC sign-in, an upstream expert with
 * its API key, prompts full of personal data (also while the audit store fails), and failed
 * attempts with wrong keys, tokens and passwords. None of those strings, and no {@code Authorization} header value, may appear.
 */
class SecretsInLogsTest extends GatewayTest {

    private static final Pattern AUTHORIZATION_VALUE =
            Pattern.compile("(?i)authorization\"?'?\\s*[:=]\\s*\"?'?\\[?\\s*(bearer|basic)\\s+[A-Za-z0-9._~+/=-]{6,}");
    /** The application's loggers, and Spring Security's, at the level an operator chasing a problem would set. */
    private static final List<String> VERBOSE = List.of("ai.ensemble", "org.springframework.security");

    @Test
    void aRunWithKeysTokensSessionsAndPersonalDataLogsNoneOfThem() throws Exception {
        // Attached once the application context runs (Spring Boot re-initialises logging as it starts).
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        OutputStreamAppender<ILoggingEvent> appender = capture(context, captured);
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        Map<String, Level> levels = new LinkedHashMap<>();
        VERBOSE.forEach(name -> levels.put(name, context.getLogger(name).getLevel()));
        Map<String, String> secrets = new LinkedHashMap<>();
        root.addAppender(appender);
        try {
            VERBOSE.forEach(name -> context.getLogger(name).setLevel(Level.DEBUG));
            use(secrets);
        } finally {
            levels.forEach((name, level) -> context.getLogger(name).setLevel(level));
            root.detachAppender(appender);
            appender.stop();
        }

        String logs = captured.toString(StandardCharsets.UTF_8);
        assertThat(logs).as("the capture works: the run's own log lines are there").contains("org.springframework.security");
        List<String> leaks = new ArrayList<>();
        secrets.forEach((what, secret) -> {
            if (logs.contains(secret)) {
                leaks.add(what + " near: " + around(logs, logs.indexOf(secret)));
            }
        });
        Matcher header = AUTHORIZATION_VALUE.matcher(logs);
        while (header.find()) {
            leaks.add("an Authorization header value near: " + around(logs, header.start()));
        }
        System.out.printf("SecretsInLogsTest: %d secrets looked for in %d lines of logs%n", secrets.size(), logs.lines().count());
        assertThat(leaks).as("secrets in %d characters of logs", logs.length()).isEmpty();
    }

    /** Every event as text: level, logger, MDC, message and stack trace. The upstream stub's own logger is not the application's. */
    private static OutputStreamAppender<ILoggingEvent> capture(LoggerContext context, ByteArrayOutputStream into) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%level %logger %mdc %msg%n%ex");
        encoder.start();
        OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>() {
            @Override
            protected void append(ILoggingEvent event) {
                if (!event.getLoggerName().toLowerCase(Locale.ROOT).startsWith("wiremock")) {
                    super.append(event);
                }
            }
        };
        appender.setContext(context);
        appender.setName("secrets-in-logs");
        appender.setEncoder(encoder);
        appender.setOutputStream(into);
        appender.start();
        return appender;
    }

    /** Uses every kind of secret against the running gateway, recording each under a description. */
    private void use(Map<String, String> secrets) throws Exception {
        String clientSecret = "demo-secret"; // the dev IdP's confidential clients (application-dev.yml)
        secrets.put("OIDC client secret", clientSecret);
        secrets.put("Basic credentials", Base64.getEncoder().encodeToString(("demo-admin:" + clientSecret).getBytes(StandardCharsets.UTF_8)));
        String admin = devToken("demo-admin");
        secrets.put("dev IdP access token", admin);
        secrets.put("demo API key", DEMO_KEY);
        secrets.put("upstream API key", "upstream-secret");

        HttpResponse<String> issued = post("/admin/api/keys", admin, """
                {"name":"log-check","roles":["user"]}""");
        assertThat(issued.statusCode()).as(issued.body()).isEqualTo(201);
        String key = json(issued).get("key").asString();
        secrets.put("issued API key", key);
        secrets.put("issued API key's secret part", key.substring(key.length() - 32));

        String jwt = ISSUER.token().subject("log-check-user").sign();
        secrets.put("external JWT", jwt);
        secrets.put("external JWT's signature", jwt.substring(jwt.lastIndexOf('.') + 1));

        Map<String, String> personal = Map.of(
                "card number", "4111 1111 1111 1111",
                "social security number", "078-05-1120",
                "email address", "jane.roe.logcheck@example.org",
                "IBAN", "DE89370400440532013000",
                "AWS secret in a prompt", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
        personal.forEach((what, value) -> secrets.put("PII in a prompt: " + what, value));
        String prompt = "Please file this: card " + personal.get("card number") + ", SSN " + personal.get("social security number")
                + ", mail " + personal.get("email address") + ", IBAN " + personal.get("IBAN")
                + ", aws_secret_access_key=" + personal.get("AWS secret in a prompt");

        for (String bearer : List.of(key, DEMO_KEY, jwt, admin)) {
            HttpResponse<String> chat = post("/v1/chat/completions", bearer, chatBody(ECHO_EXPERT, prompt));
            assertThat(chat.statusCode()).as(chat.body()).isIn(200, 400);
        }
        HttpResponse<String> streamed = post("/v1/chat/completions", key, """
                {"model":"%s","stream":true,"messages":[{"role":"user","content":"%s"}]}""".formatted(ECHO_EXPERT, prompt));
        assertThat(streamed.statusCode()).isIn(200, 400);

        // The upstream expert: its key goes out in a header; an answer, then a failure it logs about.
        UPSTREAM.resetAll();
        UPSTREAM.stubFor(com.github.tomakehurst.wiremock.client.WireMock.post(urlEqualTo("/v1/chat/completions"))
                .withHeader("Authorization", equalTo("Bearer upstream-secret"))
                .willReturn(aResponse().withHeader("Content-Type", "text/event-stream").withBody("""
                        data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":"Filed."},"finish_reason":null}]}

                        data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}

                        data: [DONE]

                        """)));
        HttpResponse<String> upstreamAnswer = post("/v1/chat/completions", key, chatBody(UPSTREAM_EXPERT, "hello"));
        assertThat(upstreamAnswer.statusCode()).as(upstreamAnswer.body()).isEqualTo(200);
        UPSTREAM.resetAll();
        UPSTREAM.stubFor(com.github.tomakehurst.wiremock.client.WireMock.post(urlEqualTo("/v1/chat/completions"))
                .willReturn(aResponse().withStatus(500).withBody("{\"error\":{\"message\":\"overloaded\"}}")));
        assertThat(post("/v1/chat/completions", key, chatBody(UPSTREAM_EXPERT, prompt)).statusCode()).isGreaterThanOrEqualTo(400);
        UPSTREAM.resetAll();

        // Wrong credentials are secrets too: a mistyped key is often one character from the real one.
        String wrongKey = "sk-ens-" + "wrongwrongwrongwrong" + key.substring(27);
        secrets.put("a wrong API key", wrongKey);
        String forged = ISSUER.token().subject("log-check-forger").signedByRogueKey().sign();
        secrets.put("a forged JWT", forged);
        for (String bearer : List.of(wrongKey, forged, "not-a-token-logcheck-0123456789")) {
            assertThat(get("/v1/models", bearer).statusCode()).isEqualTo(401);
        }
        secrets.put("a garbage bearer token", "not-a-token-logcheck-0123456789");

        // The audit store failing under a prompt: the writer logs the failed batch, never what it held.
        superuser().sql("alter table audit_event rename to audit_event_away").update();
        try {
            HttpResponse<String> refused = post("/v1/chat/completions", key, chatBody(ECHO_EXPERT, prompt));
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
        } finally {
            superuser().sql("alter table audit_event_away rename to audit_event").update();
        }

        consoleSession(secrets);
    }

    /** The console's OIDC sign-in over plain HTTP, a failed password first, then pages with the session. */
    private void consoleSession(Map<String, String> secrets) throws Exception {
        CookieManager cookies = new CookieManager();
        HttpClient browser = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NORMAL).cookieHandler(cookies).build();
        String base = "http://127.0.0.1:" + port; // the dev IdP accepts loopback redirects on any port for the IP only
        HttpResponse<String> login = browser.send(HttpRequest.newBuilder(URI.create(base + "/console")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(login.uri().getPath()).as("the console sends the browser to the IdP's login form").isEqualTo("/login");

        String wrongPassword = "wrong-password-logcheck-4711";
        secrets.put("a wrong console password", wrongPassword);
        HttpResponse<String> refused = submitLogin(browser, base, login.body(), "alice", wrongPassword);
        assertThat(refused.uri().getQuery()).contains("error");
        HttpResponse<String> console = submitLogin(browser, base, refused.body(), "bob", "demo");
        assertThat(console.statusCode()).isEqualTo(200);
        assertThat(console.uri().getPath()).as(console.body()).isEqualTo("/console");
        assertThat(console.body()).contains("id=\"who\"");

        for (HttpCookie cookie : cookies.getCookieStore().getCookies()) {
            secrets.put("console cookie " + cookie.getName(), cookie.getValue());
        }
        String csrf = hidden(browser.send(HttpRequest.newBuilder(URI.create(base + "/console/audit")).build(),
                HttpResponse.BodyHandlers.ofString()).body(), "csrf-token", "content");
        secrets.put("console CSRF token", csrf);
        HttpResponse<String> rows = browser.send(HttpRequest.newBuilder(URI.create(base + "/console/audit/rows?q=log-check"))
                .header("HX-Request", "true").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(rows.statusCode()).isEqualTo(200);
    }

    private static HttpResponse<String> submitLogin(HttpClient browser, String base, String form, String user, String password)
            throws Exception {
        String csrf = hidden(form, "_csrf", "value");
        String body = "username=" + user + "&password=" + URLEncoder.encode(password, StandardCharsets.UTF_8)
                + "&_csrf=" + URLEncoder.encode(csrf, StandardCharsets.UTF_8);
        return browser.send(HttpRequest.newBuilder(URI.create(base + "/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The value of the element named {@code name} (a hidden input's value, a meta tag's content). */
    private static String hidden(String html, String name, String attribute) {
        Matcher element = Pattern.compile("<(?:input|meta)[^>]*name=\"" + Pattern.quote(name) + "\"[^>]*>").matcher(html);
        assertThat(element.find()).as("a %s in:%n%s", name, html).isTrue();
        Matcher value = Pattern.compile(attribute + "=\"([^\"]+)\"").matcher(element.group());
        assertThat(value.find()).isTrue();
        return value.group(1);
    }

    private static String around(String text, int index) {
        return text.substring(Math.max(0, index - 200), Math.min(text.length(), index + 100)).replace('\n', '|');
    }
}
