package ai.ensemble.expert.internal;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import ai.ensemble.expert.Cancellation;
import ai.ensemble.expert.ChatMessage;
import ai.ensemble.expert.Completion;
import ai.ensemble.expert.DeltaSink;
import ai.ensemble.expert.ExpertDefinition;
import ai.ensemble.expert.ExpertException;
import ai.ensemble.expert.ExpertException.Kind;
import ai.ensemble.expert.ExpertInfo;
import ai.ensemble.expert.ExpertRequest;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class UpstreamExpertTest {

    // One server per test: a response that a test abandons keeps dribbling and would land in the next test's journal.
    private final WireMockServer upstream = new WireMockServer(options().dynamicPort());
    private static final String COMPLETIONS = "/v1/chat/completions";
    private static final ExpertRequest HELLO = new ExpertRequest(List.of(new ChatMessage("user", "Say hello")),
            null, null, null, null, null, null, null, null);

    private final List<String> deltas = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        upstream.start();
    }

    @AfterEach
    void stop() {
        upstream.stop();
    }

    @Test
    void streamsDeltasInOrderAndReportsUpstreamUsage() {
        upstream.stubFor(post(COMPLETIONS).willReturn(sse(
                "{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\"},\"finish_reason\":null}]}",
                delta("Hel"), delta("lo"), delta(" world"),
                "{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"length\"}]}",
                "{\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":3,\"total_tokens\":15}}",
                "[DONE]")));
        ExpertRequest request = new ExpertRequest(
                List.of(new ChatMessage("system", "Be brief."), new ChatMessage("user", "Say hello")),
                0.2, null, 3, List.of("END"), 7L, null, 0.5, "alice");

        Completion completion = expert(definition(upstream.baseUrl() + "/v1/", "sk-test", "served-model", 2))
                .generate(request, deltas::add, new Cancellation());

        assertThat(deltas).containsExactly("Hel", "lo", " world");
        assertThat(completion).isEqualTo(new Completion("Hello world", "length", new Completion.Usage(12, 3)));
        upstream.verify(1, postRequestedFor(urlEqualTo(COMPLETIONS))
                .withHeader("Authorization", equalTo("Bearer sk-test"))
                .withHeader("Content-Type", equalTo("application/json"))
                .withRequestBody(equalToJson("""
                        {"model": "served-model",
                         "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Say hello"}],
                         "temperature": 0.2, "max_tokens": 3, "stop": ["END"], "seed": 7,
                         "frequency_penalty": 0.5, "user": "alice",
                         "stream": true, "stream_options": {"include_usage": true}}""")));
    }

    @Test
    void sendsIdAsModelWithoutKeyAndReportsZeroUsageWhenUpstreamSendsNone() {
        upstream.stubFor(post(COMPLETIONS).willReturn(sse(delta("Hi"), finish("stop"), "[DONE]")));

        Completion completion = expert(definition(upstream.baseUrl() + "/v1", " ", null, 2))
                .generate(HELLO, deltas::add, new Cancellation());

        assertThat(completion).isEqualTo(new Completion("Hi", "stop", new Completion.Usage(0, 0)));
        upstream.verify(1, postRequestedFor(urlEqualTo(COMPLETIONS))
                .withHeader("Authorization", absent())
                .withRequestBody(equalToJson("""
                        {"model": "test-expert", "messages": [{"role": "user", "content": "Say hello"}],
                         "stream": true, "stream_options": {"include_usage": true}}""")));
    }

    @Test
    void retriesConnectionResetThenSucceeds() {
        upstream.stubFor(post(COMPLETIONS).inScenario("flaky").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)).willSetStateTo("recovered"));
        upstream.stubFor(post(COMPLETIONS).inScenario("flaky").whenScenarioStateIs("recovered")
                .willReturn(sse(delta("ok"), finish("stop"), "[DONE]")));

        Completion completion = expert(definition(upstream.baseUrl() + "/v1", null, "m", 2))
                .generate(HELLO, deltas::add, new Cancellation());

        assertThat(completion.text()).isEqualTo("ok");
        upstream.verify(2, postRequestedFor(urlEqualTo(COMPLETIONS)));
    }

    @Test
    void countsEachRetryForTheRetryMetric() {
        upstream.stubFor(post(COMPLETIONS).inScenario("flaky-twice").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)).willSetStateTo("reset once"));
        upstream.stubFor(post(COMPLETIONS).inScenario("flaky-twice").whenScenarioStateIs("reset once")
                .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)).willSetStateTo("recovered"));
        upstream.stubFor(post(COMPLETIONS).inScenario("flaky-twice").whenScenarioStateIs("recovered")
                .willReturn(sse(delta("ok"), finish("stop"), "[DONE]")));
        java.util.concurrent.atomic.AtomicInteger retries = new java.util.concurrent.atomic.AtomicInteger();
        ExpertDefinition definition = definition(upstream.baseUrl() + "/v1", null, "m", 3);

        Completion completion = new UpstreamExpert(definition, HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(definition.connectTimeout()).build(), retries::incrementAndGet)
                .generate(HELLO, deltas::add, new Cancellation());

        assertThat(completion.text()).isEqualTo("ok");
        assertThat(retries).hasValue(2);
        upstream.verify(3, postRequestedFor(urlEqualTo(COMPLETIONS)));
        // outside a traced request there is no trace context to pass on
        assertThat(upstream.findAll(postRequestedFor(urlEqualTo(COMPLETIONS)))).allSatisfy(request ->
                assertThat(request.containsHeader("traceparent")).isFalse());
    }

    @Test
    void doesNotRetryAfterTextWasStreamed() {
        upstream.stubFor(post(COMPLETIONS).willReturn(sse(delta("Hel"))));

        ExpertException failure = catchThrowableOfType(ExpertException.class,
                () -> expert(definition(upstream.baseUrl() + "/v1", null, "m", 3)).generate(HELLO, deltas::add, new Cancellation()));

        assertThat(failure.kind()).isEqualTo(Kind.UPSTREAM_ERROR);
        assertThat(failure).hasMessageContaining("ended early");
        assertThat(failure.beforeFirstToken()).isFalse();
        assertThat(deltas).containsExactly("Hel");
        upstream.verify(1, postRequestedFor(urlEqualTo(COMPLETIONS)));
    }

    @Test
    void reportsAnErrorEventSentMidAnswer() {
        upstream.stubFor(post(COMPLETIONS).willReturn(sse(delta("Hel"),
                "{\"error\":{\"object\":\"error\",\"message\":\"engine died\",\"type\":\"InternalServerError\",\"code\":500}}")));

        ExpertException failure = catchThrowableOfType(ExpertException.class,
                () -> expert(definition(upstream.baseUrl() + "/v1", null, "m", 3)).generate(HELLO, deltas::add, new Cancellation()));

        assertThat(failure.kind()).isEqualTo(Kind.UPSTREAM_ERROR);
        assertThat(failure).hasMessage("upstream failed mid-answer: engine died");
        assertThat(failure.beforeFirstToken()).isFalse();
        assertThat(deltas).containsExactly("Hel");
    }

    @Test
    void readsTheOlderVllmErrorShape() {
        upstream.stubFor(post(COMPLETIONS).willReturn(aResponse().withStatus(400).withBody(
                "{\"object\":\"error\",\"message\":\"max_tokens is too large\",\"type\":\"BadRequestError\",\"code\":400}")));

        ExpertException failure = catchThrowableOfType(ExpertException.class,
                () -> expert(definition(upstream.baseUrl() + "/v1", null, "m", 3)).generate(HELLO, deltas::add, new Cancellation()));

        assertThat(failure.kind()).isEqualTo(Kind.UPSTREAM_ERROR);
        assertThat(failure).hasMessage("upstream answered 400: max_tokens is too large");
    }

    @Test
    void mapsUpstreamErrorStatusToUpstreamErrorWithoutRetrying() {
        upstream.stubFor(post(COMPLETIONS).willReturn(aResponse().withStatus(500)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"error\":{\"message\":\"CUDA out of memory\",\"type\":\"server_error\"}}")));

        ExpertException failure = catchThrowableOfType(ExpertException.class,
                () -> expert(definition(upstream.baseUrl() + "/v1", null, "m", 3)).generate(HELLO, deltas::add, new Cancellation()));

        assertThat(failure.kind()).isEqualTo(Kind.UPSTREAM_ERROR);
        assertThat(failure).hasMessage("upstream answered 500: CUDA out of memory");
        assertThat(failure.beforeFirstToken()).isTrue();
        upstream.verify(1, postRequestedFor(urlEqualTo(COMPLETIONS)));
    }

    @Test
    void treatsRejectedGatewayKeyAsUpstreamError() {
        upstream.stubFor(post(COMPLETIONS).willReturn(aResponse().withStatus(401).withBody("<html>nope</html>")));

        ExpertException failure = catchThrowableOfType(ExpertException.class,
                () -> expert(definition(upstream.baseUrl() + "/v1", "sk-wrong", "m", 3)).generate(HELLO, deltas::add, new Cancellation()));

        assertThat(failure.kind()).isEqualTo(Kind.UPSTREAM_ERROR);
        assertThat(failure).hasMessage("upstream answered 401");
    }

    @Test
    void timesOutWaitingForFirstToken() {
        upstream.stubFor(post(COMPLETIONS).willReturn(sse(delta("late"), finish("stop"), "[DONE]").withFixedDelay(2500)));

        long start = System.nanoTime();
        ExpertException failure = catchThrowableOfType(ExpertException.class,
                () -> expert(definition(upstream.baseUrl() + "/v1", null, "m", 2)).generate(HELLO, deltas::add, new Cancellation()));

        assertThat(failure.kind()).isEqualTo(Kind.TIMEOUT);
        assertThat(failure).hasMessageEndingWith("within PT1S");
        assertThat(failure.beforeFirstToken()).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2500));
        assertThat(deltas).isEmpty();
        upstream.verify(1, postRequestedFor(urlEqualTo(COMPLETIONS)));
    }

    @Test
    void timesOutWhenHeadersArriveButNoTokenFollows() {
        // Like vLLM during a long prefill: headers and keep-alive comments at once, the first event
        // only in the last of 60 chunks (WireMock sends one chunk every 100 ms, headers with the first).
        String event = "data: " + delta("late") + "\n\n";
        String keepAlive = ":" + " ".repeat(59 * event.length() - 2) + "\n";
        upstream.stubFor(post(COMPLETIONS).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "text/event-stream")
                .withBody(keepAlive + event).withChunkedDribbleDelay(60, 6000)));

        long start = System.nanoTime();
        ExpertException failure = catchThrowableOfType(ExpertException.class,
                () -> expert(definition(upstream.baseUrl() + "/v1", null, "m", 2)).generate(HELLO, deltas::add, new Cancellation()));

        assertThat(failure.kind()).isEqualTo(Kind.TIMEOUT);
        assertThat(failure).hasMessage("no token within PT1S");
        assertThat(failure.beforeFirstToken()).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2500));
        assertThat(deltas).isEmpty();
    }

    @Test
    void cutsAnAnswerThatOutrunsTheRequestTimeout() {
        upstream.stubFor(post(COMPLETIONS).willReturn(slowStream(40, 4000)));
        ExpertDefinition definition = new ExpertDefinition("test-expert", null, "", "upstream", upstream.baseUrl() + "/v1",
                null, "m", Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofMillis(1500), 0, 4096);

        long start = System.nanoTime();
        ExpertException failure = catchThrowableOfType(ExpertException.class,
                () -> expert(definition).generate(HELLO, deltas::add, new Cancellation()));

        assertThat(failure.kind()).isEqualTo(Kind.TIMEOUT);
        assertThat(failure).hasMessage("answer took longer than PT1.5S");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(3000));
        assertThat(deltas).isNotEmpty().hasSizeLessThan(40);
        assertThat(failure.beforeFirstToken()).isFalse();
    }

    @Test
    void connectionRefusedEverywhereIsUnavailable() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }

        ExpertException failure = catchThrowableOfType(ExpertException.class,
                () -> expert(definition("http://127.0.0.1:" + closedPort + "/v1", null, "m", 1)).generate(HELLO, deltas::add, new Cancellation()));

        assertThat(failure.kind()).isEqualTo(Kind.UNAVAILABLE);
        assertThat(failure.beforeFirstToken()).isTrue();
        assertThat(failure).hasMessageContaining("(2 attempts)");
    }

    @Test
    void cancellationStopsTheStream() {
        upstream.stubFor(post(COMPLETIONS).willReturn(slowStream(40, 4000)));
        Cancellation cancellation = new Cancellation();
        DeltaSink cancelAfterFirst = text -> {
            deltas.add(text);
            cancellation.cancel();
        };

        long start = System.nanoTime();
        ExpertException failure = catchThrowableOfType(ExpertException.class,
                () -> expert(definition(upstream.baseUrl() + "/v1", null, "m", 2)).generate(HELLO, cancelAfterFirst, cancellation));

        assertThat(failure.kind()).isEqualTo(Kind.CANCELLED);
        assertThat(failure.beforeFirstToken()).isFalse();
        assertThat(deltas).startsWith("t0 ").hasSizeLessThan(5);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2000));
    }

    @Test
    void cancellationBeforeTheResponseStopsWaiting() throws IOException {
        // A server that reads the request and never answers; the deadlines are far beyond the test.
        Cancellation cancellation = new Cancellation();
        try (ServerSocket silent = new ServerSocket(0)) {
            Thread.ofVirtual().start(() -> {
                try (Socket client = silent.accept()) {
                    new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.US_ASCII)).readLine();
                    cancellation.cancel();
                    sleep(5000);
                } catch (IOException e) {
                    // the test is over
                }
            });
            UpstreamExpert expert = expert(new ExpertDefinition("test-expert", null, "", "upstream",
                    "http://127.0.0.1:" + silent.getLocalPort() + "/v1", null, "m",
                    Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(60), 2, 4096));

            long start = System.nanoTime();
            ExpertException failure = catchThrowableOfType(ExpertException.class, () -> expert.generate(HELLO, deltas::add, cancellation));

            assertThat(failure.kind()).isEqualTo(Kind.CANCELLED);
            assertThat(failure.beforeFirstToken()).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void describesItselfWithTheUpstreamHost() {
        ExpertInfo info = expert(definition("http://vllm.internal:8000/v1", null, "m", 2)).info();

        assertThat(info).isEqualTo(new ExpertInfo("test-expert", "test-expert", "An upstream", "vllm.internal", true, 4096));
    }

    @Test
    void refusesABaseUrlThatIsNotHttp() {
        assertThatIllegalStateException()
                .isThrownBy(() -> expert(definition("vllm.internal:8000/v1", null, "m", 2)))
                .withMessage("expert 'test-expert': baseUrl must be an http(s) URL such as http://host:8000/v1, not 'vllm.internal:8000/v1'");
    }

    private static UpstreamExpert expert(ExpertDefinition definition) {
        return new UpstreamExpert(definition, HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(definition.connectTimeout())
                .build());
    }

    private static ExpertDefinition definition(String baseUrl, String apiKey, String model, int maxRetries) {
        return new ExpertDefinition("test-expert", null, "An upstream", "upstream", baseUrl, apiKey, model,
                Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(5), maxRetries, 4096);
    }

    private static String delta(String text) {
        return "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + text + "\"},\"finish_reason\":null}]}";
    }

    private static String finish(String reason) {
        return "{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"" + reason + "\"}]}";
    }

    private static ResponseDefinitionBuilder sse(String... events) {
        return aResponse().withStatus(200).withHeader("Content-Type", "text/event-stream")
                .withBody(Arrays.stream(events).map(event -> "data: " + event + "\n\n").collect(Collectors.joining()));
    }

    /** Events of equal length, so that WireMock's evenly sized chunks roughly match one event each. */
    private static ResponseDefinitionBuilder slowStream(int events, int millis) {
        String[] body = IntStream.range(0, events).mapToObj(i -> delta("t%d ".formatted(i % 10))).toArray(String[]::new);
        return sse(body).withChunkedDribbleDelay(events, millis);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
