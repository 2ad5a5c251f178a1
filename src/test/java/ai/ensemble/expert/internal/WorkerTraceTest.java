package ai.ensemble.expert.internal;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import ai.ensemble.engine.LocalModel;
import ai.ensemble.engine.ServiceToken;
import ai.ensemble.engine.serve.WorkerServer;
import ai.ensemble.expert.Cancellation;
import ai.ensemble.expert.ChatMessage;
import ai.ensemble.expert.Completion;
import ai.ensemble.expert.ExpertDefinition;
import ai.ensemble.expert.ExpertRequest;
import ai.ensemble.support.OtlpCollector;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Trace context crosses from the gateway into the worker: the expert sends what its
 * {@link ai.ensemble.expert.OutboundHeaders} supply, and the worker's own span joins that trace under
 * the caller's span.
 */
class WorkerTraceTest {

    private static final ServiceToken TOKENS = ServiceToken.ofSecret("trace-test-secret-of-at-least-32-bytes!!");
    private static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";

    @Test
    void forwardsTheTraceparentAndTheWorkerJoinsTheTrace() throws Exception {
        try (OtlpCollector collector = OtlpCollector.start()) {
            try (LocalModel model = LocalModel.open("demo", new LocalModel.Options("cpu", 4, true));
                 WorkerServer server = WorkerServer.start(model, TOKENS, 0, collector.url())) {
                ExpertDefinition definition = new ExpertDefinition("traced", null, "", "worker", "http://localhost:" + server.port(),
                        null, null, Duration.ofSeconds(5), Duration.ofSeconds(20), Duration.ofSeconds(60), 0, 2048);
                HttpClient http = HttpClient.newHttpClient();
                try (WorkerExpert expert = new WorkerExpert(definition, new WorkerPool("traced",
                        List.of(URI.create("http://localhost:" + server.port() + "/")), http, TOKENS, Duration.ofHours(1)), http, TOKENS,
                        () -> Map.of("traceparent", "00-" + TRACE_ID + "-b7ad6b7169203331-01"), new SimpleMeterRegistry().counter("retries"))) {
                    Completion completion = expert.generate(new ExpertRequest(List.of(new ChatMessage("user", "hello")), 0.0, null, 3,
                            null, null, null, null, null), text -> { }, new Cancellation());
                    assertThat(completion.usage().completionTokens()).isBetween(1, 3);
                }
            } // closing the worker sends the spans it holds
            assertThat(collector.spans()).anySatisfy(span -> {
                assertThat(span.traceId()).isEqualTo(TRACE_ID);
                assertThat(span.span()).containsEntry("parentSpanId", "b7ad6b7169203331");
            });
        }
    }
}
