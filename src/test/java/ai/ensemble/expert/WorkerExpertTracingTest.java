package ai.ensemble.expert;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import ai.ensemble.support.InferenceWorkers;
import ai.ensemble.support.OtlpCollector;
import ai.ensemble.support.RecordedSpans;
import ai.ensemble.support.WorkerGatewayTest;
import io.micrometer.tracing.exporter.FinishedSpan;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One trace from the gateway into the inference worker: a chat through a {@code worker} expert
 * yields the gateway's {@code expert <id>} span (recorded in the shared context) and the worker's own
 * {@code worker.generate} span (exported by the real worker to a stand-in OTLP collector) beneath it.
 */
class WorkerExpertTracingTest extends WorkerGatewayTest {

    private static OtlpCollector collector;
    private static InferenceWorkers workers;

    @Autowired
    private RecordedSpans recorded;

    @BeforeAll
    static void startWorkers() throws Exception {
        collector = OtlpCollector.start();
        workers = new InferenceWorkers(1, collector.url());
    }

    @AfterAll
    static void stopWorkers() throws Exception {
        workers.close();
        collector.close();
    }

    @Test
    void workerSpanIsAChildOfTheGatewaysExpertSpanInTheCallersTrace() throws Exception {
        workerExpert("wk-traced", workers.baseUrl());
        String traceId = hex(16);
        String secretWord = "marrowgleam" + UUID.randomUUID().toString().substring(0, 8);
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/v1/chat/completions"))
                .header("Authorization", "Bearer " + DEMO_KEY).header("Content-Type", "application/json")
                .header("traceparent", "00-" + traceId + "-" + hex(8) + "-01")
                .POST(HttpRequest.BodyPublishers.ofString("""
                        {"model":"wk-traced","stream":true,"max_tokens":4,"temperature":0,"messages":[{"role":"user","content":"Tell me about %s."}]}"""
                        .formatted(secretWord))));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).contains("[DONE]");
        String requestId = response.headers().firstValue("X-Request-Id").orElseThrow();

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> recorded.ofTrace(traceId).stream().anyMatch(span -> span.getName().equals("expert wk-traced")));
        FinishedSpan expert = recorded.ofTrace(traceId).stream().filter(span -> span.getName().equals("expert wk-traced"))
                .findFirst().orElseThrow();

        List<OtlpCollector.ReceivedSpan> workerSpans = collector.awaitTrace(traceId, Duration.ofSeconds(10));
        assertThat(workerSpans).singleElement().satisfies(span -> {
            assertThat(span.resource()).containsEntry("service.name", "ensemble-worker");
            assertThat(span.span()).containsEntry("name", "worker.generate").containsEntry("kind", 2L)
                    .containsEntry("parentSpanId", expert.getSpanId());
            assertThat(span.attributes()).containsEntry("ensemble.request.id", requestId)
                    .containsEntry("gen_ai.usage.output_tokens", expert.getTags().get("gen_ai.usage.output_tokens"))
                    .containsKey("gen_ai.response.finish_reasons");
        });
        assertThat(collector.exports()).noneMatch(export -> export.body().contains(secretWord));
    }

    private static String hex(int bytes) {
        byte[] random = new byte[bytes];
        ThreadLocalRandom.current().nextBytes(random);
        random[0] |= 1;
        return HexFormat.of().formatHex(random);
    }
}
