package ai.ensemble.support;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

import io.micrometer.tracing.exporter.FinishedSpan;
import io.micrometer.tracing.exporter.SpanReporter;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * The spans the gateway exported, in memory: a span reporter beside the OTLP exporter, fed by the
 * same batch span processor (the test profile samples every request and exports every 100 ms). It
 * keeps only the latest {@value #CAPACITY} spans, since every test class's requests are traced.
 */
public final class RecordedSpans implements SpanReporter {

    static final int CAPACITY = 20_000;

    private final Deque<FinishedSpan> spans = new ArrayDeque<>();

    @Override
    public synchronized void report(FinishedSpan span) {
        if (spans.size() == CAPACITY) {
            spans.removeFirst();
        }
        spans.addLast(span);
    }

    /** The spans of one trace exported so far, in the order they ended. */
    public synchronized List<FinishedSpan> ofTrace(String traceId) {
        return spans.stream().filter(span -> span.getTraceId().equals(traceId)).toList();
    }

    @Override
    public void close() {
    }

    /** Registers the recorder in the shared test context. */
    @TestConfiguration(proxyBeanMethods = false)
    static class Configuration {
        @Bean
        RecordedSpans recordedSpans() {
            return new RecordedSpans();
        }
    }
}
