package ai.ensemble.api;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import ai.ensemble.shared.TraceHeaders;
import ai.ensemble.support.GatewayTest;
import ai.ensemble.support.RecordedSpans;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.exporter.FinishedSpan;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One chat request is one trace: the server span of the API request, a child span per pipeline
 * stage, and the upstream expert's HTTP call carrying the W3C {@code traceparent} of the expert
 * span. Span attributes name experts, scores, counts and statuses, never the prompt or the answer.
 */
class TracingTest extends GatewayTest {

    private static final Pattern TRACEPARENT = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-0[01]");
    private static final String CLIENT_APP = "tracing-test";
    private static final String POLICY = "tracing-email-flag";

    @Autowired
    private RecordedSpans recorded;

    /** An input and output policy for this test's client app only, so both guardrail stages run. */
    @BeforeEach
    void flagsEmailAddressesForThisClientApp() {
        String admin = devToken("demo-admin");
        if (get("/admin/api/policies/" + POLICY, admin).statusCode() == 404) {
            HttpResponse<String> created = post("/admin/api/policies", admin, """
                    {"id":"%s","apps":["%s"],"stages":["input","output"],"detectors":["email"],"defaultAction":"flag"}"""
                    .formatted(POLICY, CLIENT_APP));
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        }
    }

    @Test
    void chatRequestIsOneTraceOfStageSpansUnderTheServerSpanAndReachesTheUpstream() {
        String asked = word("quillmoor");
        String answered = word("brackenfold");
        StubMapping stub = UPSTREAM.stubFor(answering(asked, answered));
        try {
            HttpResponse<String> response = send(chat(false, asked).header("X-Client-App", CLIENT_APP));
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(response.body()).contains(answered);

            Matcher upstream = upstreamTraceparent(asked);
            String traceId = upstream.group(1);
            List<FinishedSpan> spans = completeTrace(traceId);

            FinishedSpan server = serverSpan(spans);
            assertThat(spans).filteredOn(span -> span.getKind() == Span.Kind.SERVER).hasSize(1);
            Map<String, FinishedSpan> stages = stagesUnder(server, spans);
            assertThat(stages).containsKeys("routing", "input-guardrails", "retrieval", "quota", "expert " + UPSTREAM_EXPERT,
                    "output-guardrails", "audit-commit");
            assertThat(spans).filteredOn(span -> span.getName().equals("audit-commit"))
                    .as("the request and its outcome are committed").hasSize(2)
                    .allSatisfy(span -> assertThat(span.getParentId()).isEqualTo(server.getSpanId()))
                    .extracting(span -> span.getTags().get("ensemble.audit.kind")).containsExactly("request", "response");

            FinishedSpan expert = stages.get("expert " + UPSTREAM_EXPERT);
            assertThat(upstream.group(2)).as("the upstream call's parent is the expert span").isEqualTo(expert.getSpanId());
            assertThat(expert.getTags()).containsEntry("expert", UPSTREAM_EXPERT).containsEntry("outcome", "ok")
                    .containsEntry("gen_ai.usage.input_tokens", "12").containsEntry("gen_ai.usage.output_tokens", "3")
                    .containsKey("ensemble.time_to_first_token_ms");
            assertThat(expert.getEvents()).extracting(Map.Entry::getValue).contains("first-token");
            assertThat(stages.get("routing").getTags()).containsEntry("ensemble.expert.id", UPSTREAM_EXPERT)
                    .containsEntry("ensemble.route.mode", "explicit");
            assertThat(stages.get("input-guardrails").getTags()).containsEntry("ensemble.guardrail.blocked", "false")
                    .hasEntrySatisfying("ensemble.guardrail.policies", policies -> assertThat(Integer.parseInt(policies)).isPositive());
            assertThat(stages.get("output-guardrails").getTags()).containsEntry("ensemble.guardrail.blocked", "false");
            assertThat(stages.get("quota").getTags()).containsKey("ensemble.quota.reserved_tokens");
            assertThat(stages.get("retrieval").getTags()).containsEntry("ensemble.rag.passages", "0");
            assertThat(spans).filteredOn(span -> "response".equals(span.getTags().get("ensemble.audit.kind")))
                    .singleElement().satisfies(span -> assertThat(span.getTags()).containsEntry("ensemble.status", "200"));
            assertCarriesNoText(spans, asked, answered);
        } finally {
            UPSTREAM.removeStub(stub);
        }
    }

    @Test
    void streamedRequestJoinsTheCallersTraceAndPassesItOnToTheUpstream() {
        String asked = word("fernwhistle");
        String answered = word("cobblemarsh");
        StubMapping stub = UPSTREAM.stubFor(answering(asked, answered));
        String callerTrace = hex(32);
        String callerSpan = hex(16);
        try {
            HttpResponse<String> response = send(chat(true, asked).header("traceparent", "00-" + callerTrace + "-" + callerSpan + "-01"));
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            assertThat(response.body()).contains(answered.substring(0, 6)).endsWith("data: [DONE]\n\n");

            Matcher upstream = upstreamTraceparent(asked);
            assertThat(upstream.group(1)).as("the upstream joins the caller's trace").isEqualTo(callerTrace);
            List<FinishedSpan> spans = completeTrace(callerTrace);

            FinishedSpan server = serverSpan(spans);
            assertThat(server.getParentId()).as("the gateway's server span is a child of the caller's span").isEqualTo(callerSpan);
            FinishedSpan expert = stagesUnder(server, spans).get("expert " + UPSTREAM_EXPERT);
            assertThat(expert).isNotNull();
            assertThat(upstream.group(2)).isEqualTo(expert.getSpanId());
            assertThat(expert.getEvents()).extracting(Map.Entry::getValue).contains("first-token");
            assertThat(expert.getTags()).containsEntry("gen_ai.usage.output_tokens", "3");
            assertCarriesNoText(spans, asked, answered);
        } finally {
            UPSTREAM.removeStub(stub);
        }
    }

    @Test
    void refusedRequestEndsItsRoutingSpanAsRefused() {
        String asked = word("thistledown");
        String traceId = hex(32);
        // an expert that does not exist: routing refuses the request, and its span says so
        HttpResponse<String> refused = send(HttpRequest.newBuilder(uri("/v1/chat/completions"))
                .header("Authorization", "Bearer " + DEMO_KEY).header("Content-Type", "application/json")
                .header("traceparent", "00-" + traceId + "-" + hex(16) + "-01")
                .POST(HttpRequest.BodyPublishers.ofString(chatBody("no-such-expert", asked))));
        assertThat(refused.statusCode()).as(refused.body()).isBetween(400, 499);

        List<FinishedSpan> spans = completeTrace(traceId);
        FinishedSpan routing = stagesUnder(serverSpan(spans), spans).get("routing");
        assertThat(routing).isNotNull();
        assertThat(routing.getTags()).containsEntry("outcome", "refused")
                .containsEntry("http.status", String.valueOf(refused.statusCode()));
        assertThat(spans).noneMatch(span -> span.getName().startsWith("expert "));
        assertCarriesNoText(spans, asked, asked);
    }

    /** The test profile, like the defaults, names no OTLP endpoint: no span or metric exporter exists to send anything. */
    @Test
    void exportsNothingWithoutAnEndpoint(@Autowired ApplicationContext context) {
        assertThat(context.getBeansOfType(SpanExporter.class)).isEmpty();
        assertThat(context.getBeansOfType(MeterRegistry.class).values())
                .noneMatch(registry -> registry.getClass().getName().toLowerCase(Locale.ROOT).contains("otlp"));
        assertThat(context.getBeansOfType(RecordedSpans.class)).hasSize(1);
    }

    @Test
    void traceHeadersAreEmptyOutsideASpan() {
        assertThat(TraceHeaders.current()).isEmpty();
    }

    private static MappingBuilder answering(String asked, String answered) {
        return WireMock.post(urlEqualTo("/v1/chat/completions")).withRequestBody(containing(asked)).willReturn(aResponse()
                .withHeader("Content-Type", "text/event-stream")
                .withBody("""
                        data: {"id":"t1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}

                        data: {"id":"t1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"About %s"},"finish_reason":null}]}

                        data: {"id":"t1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}

                        data: {"id":"t1","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15}}

                        data: [DONE]

                        """.formatted(answered)));
    }

    private HttpRequest.Builder chat(boolean stream, String asked) {
        return HttpRequest.newBuilder(uri("/v1/chat/completions"))
                .header("Authorization", "Bearer " + DEMO_KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("""
                        {"model":"%s","stream":%s,"messages":[{"role":"user","content":"Tell me about %s, write to tracer@example.com"}]}"""
                        .formatted(UPSTREAM_EXPERT, stream, asked)));
    }

    /** The traceparent of the one upstream request whose body holds {@code asked}. */
    private static Matcher upstreamTraceparent(String asked) {
        List<LoggedRequest> requests = UPSTREAM.findAll(postRequestedFor(urlEqualTo("/v1/chat/completions"))
                .withRequestBody(containing(asked)));
        assertThat(requests).hasSize(1);
        String traceparent = requests.getFirst().getHeader("traceparent");
        assertThat(traceparent).as("traceparent sent upstream").isNotNull().matches(TRACEPARENT);
        Matcher matcher = TRACEPARENT.matcher(traceparent);
        assertThat(matcher.matches()).isTrue();
        return matcher;
    }

    /** The trace's spans once its server span (the last to end) has been exported. */
    private List<FinishedSpan> completeTrace(String traceId) {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> recorded.ofTrace(traceId).stream().anyMatch(span -> span.getKind() == Span.Kind.SERVER));
        return recorded.ofTrace(traceId);
    }

    private static FinishedSpan serverSpan(List<FinishedSpan> spans) {
        return spans.stream().filter(span -> span.getKind() == Span.Kind.SERVER).findFirst().orElseThrow();
    }

    /** The direct children of the server span by name (the last one of a name wins). */
    private static Map<String, FinishedSpan> stagesUnder(FinishedSpan server, List<FinishedSpan> spans) {
        assertThat(server.getTags()).containsEntry("uri", "/v1/chat/completions");
        return spans.stream().filter(span -> server.getSpanId().equals(span.getParentId()))
                .collect(Collectors.toMap(FinishedSpan::getName, span -> span, (first, second) -> second));
    }

    /** No name, attribute or event of any span holds the prompt, the answer, an email address or a credential. */
    private static void assertCarriesNoText(List<FinishedSpan> spans, String asked, String answered) {
        List<String> forbidden = List.of(asked, answered, "Tell me about", "tracer@example.com", DEMO_KEY, "upstream-secret");
        for (FinishedSpan span : spans) {
            List<String> texts = new ArrayList<>(span.getTags().keySet());
            texts.addAll(span.getTags().values());
            texts.add(span.getName());
            span.getEvents().forEach(event -> texts.add(event.getValue()));
            assertThat(texts).as("span %s", span.getName())
                    .allSatisfy(text -> forbidden.forEach(secret -> assertThat(text).doesNotContain(secret)));
        }
    }

    private static String word(String stem) {
        return stem + UUID.randomUUID().toString().substring(0, 8);
    }

    private static String hex(int digits) {
        StringBuilder hex = new StringBuilder(digits);
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < digits; i++) {
            hex.append(Character.forDigit(random.nextInt(16), 16));
        }
        return hex.toString();
    }
}
