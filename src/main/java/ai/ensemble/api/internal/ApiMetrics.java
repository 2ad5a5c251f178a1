package ai.ensemble.api.internal;

import java.util.concurrent.TimeUnit;

import ai.ensemble.expert.Completion;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.springframework.stereotype.Component;

/**
 * Requests by expert, status and caller type, their latency (a histogram, see
 * {@code management.metrics.distribution}), and tokens by expert and direction.
 */
@Component
class ApiMetrics {

    private final MeterRegistry meters;

    ApiMetrics(MeterRegistry meters) {
        this.meters = meters;
    }

    void request(String expert, int status, String callerType, long elapsedNanos) {
        String expertTag = expert == null ? "none" : expert;
        Counter.builder("ensemble.requests")
                .description("Chat requests answered")
                .tags("expert", expertTag, "status", String.valueOf(status), "caller_type", callerType)
                .register(meters).increment();
        Timer.builder("ensemble.request.duration")
                .description("Time from request to last byte, model time included")
                .tags("expert", expertTag, "status", String.valueOf(status))
                .register(meters).record(elapsedNanos, TimeUnit.NANOSECONDS);
    }

    /** Time from the request's arrival to its first streamed token (what a user waits before text appears). */
    void firstToken(String expert, long elapsedNanos) {
        Timer.builder("ensemble.time.to.first.token")
                .description("Time from request to the first streamed token")
                .tags("expert", expert)
                .register(meters).record(elapsedNanos, TimeUnit.NANOSECONDS);
    }

    void tokens(String expert, Completion.Usage usage) {
        Counter.builder("ensemble.tokens").tags("expert", expert, "direction", "prompt").register(meters)
                .increment(usage.promptTokens());
        Counter.builder("ensemble.tokens").tags("expert", expert, "direction", "completion").register(meters)
                .increment(usage.completionTokens());
    }
}
