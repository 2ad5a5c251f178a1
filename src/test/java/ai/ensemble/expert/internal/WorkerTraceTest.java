package ai.ensemble.expert.internal;

import java.net.URI;
import java.net.http.HttpClient;
import java.text.MessageFormat;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import ai.ensemble.engine.LocalModel;
import ai.ensemble.engine.ServiceToken;
import ai.ensemble.engine.serve.WorkerServer;
import ai.ensemble.expert.Cancellation;
import ai.ensemble.expert.ChatMessage;
import ai.ensemble.expert.Completion;
import ai.ensemble.expert.ExpertDefinition;
import ai.ensemble.expert.ExpertRequest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Trace context crosses from the gateway into the worker: the expert sends what its
 * {@link ai.ensemble.expert.OutboundHeaders} supply, and the worker names the trace id in its log lines.
 */
class WorkerTraceTest {

    private static final ServiceToken TOKENS = ServiceToken.ofSecret("trace-test-secret-of-at-least-32-bytes!!");
    private static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";

    @Test
    void forwardsTheTraceparentAndTheWorkerLogsItsTraceId() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        Logger generation = Logger.getLogger("ai.ensemble.engine.serve.Generation");
        Level previous = generation.getLevel();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                lines.add(MessageFormat.format(record.getMessage(), record.getParameters()));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        capture.setLevel(Level.ALL);
        generation.setLevel(Level.ALL);
        generation.addHandler(capture);
        try (LocalModel model = LocalModel.open("demo", new LocalModel.Options("cpu", 4, true));
             WorkerServer server = WorkerServer.start(model, TOKENS, 0)) {
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
        } finally {
            generation.removeHandler(capture);
            generation.setLevel(previous);
        }
        assertThat(lines).anyMatch(line -> line.contains("trace_id=" + TRACE_ID));
    }
}
