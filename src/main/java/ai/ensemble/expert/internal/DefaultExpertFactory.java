package ai.ensemble.expert.internal;

import java.io.UncheckedIOException;
import java.net.http.HttpClient;

import ai.ensemble.engine.LocalModel;
import ai.ensemble.expert.Expert;
import ai.ensemble.expert.ExpertDefinition;
import ai.ensemble.expert.ExpertFactory;
import org.springframework.beans.factory.annotation.Value;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Component;

/** Builds upstream, engine and echo experts; the engine's backend and queue come from {@code ensemble.engine.*}. */
@Component
class DefaultExpertFactory implements ExpertFactory {

    private final LocalModel.Options engine;
    private final MeterRegistry meters;

    DefaultExpertFactory(@Value("${ensemble.engine.backend:auto}") String engineBackend,
                         @Value("${ensemble.engine.max-waiting:" + LocalModel.Options.DEFAULT_MAX_WAITING + "}") int engineMaxWaiting,
                         MeterRegistry meters) {
        this.engine = new LocalModel.Options(engineBackend, engineMaxWaiting, true);
        this.meters = meters;
    }

    /**
     * The engine's serving state as gauges, tagged with the expert: requests waiting and running, KV
     * blocks in use and in total, and preemptions (GPU batch scheduler; on the CPU only the waiting
     * generations). Micrometer holds the expert weakly, so a replaced expert's gauges read NaN.
     */
    private EngineExpert instrumented(EngineExpert expert) {
        String id = expert.info().id();
        LocalModel model = expert.model();
        Gauge.builder("ensemble.engine.waiting", model, m -> m.batchMetrics().map(x -> (double) x.waiting())
                        .orElse((double) m.waitingGenerations()))
                .description("Generations waiting for the engine").tag("expert", id).register(meters);
        Gauge.builder("ensemble.engine.running", model, m -> m.batchMetrics().map(x -> (double) x.running()).orElse(Double.NaN))
                .description("Sequences in the running batch (GPU)").tag("expert", id).register(meters);
        Gauge.builder("ensemble.engine.kv.blocks.used", model, m -> m.batchMetrics().map(x -> (double) x.kvBlocksInUse()).orElse(Double.NaN))
                .description("KV-cache blocks in use (GPU)").tag("expert", id).register(meters);
        Gauge.builder("ensemble.engine.kv.blocks.total", model, m -> m.batchMetrics().map(x -> (double) x.kvBlocksTotal()).orElse(Double.NaN))
                .description("KV-cache blocks in the pool (GPU)").tag("expert", id).register(meters);
        FunctionCounter.builder("ensemble.engine.preemptions", model, m -> m.batchMetrics().map(x -> (double) x.preemptions()).orElse(0d))
                .description("Sequences preempted when the KV cache ran out").tag("expert", id).register(meters);
        return expert;
    }

    @Override
    public Expert create(ExpertDefinition definition, String where) {
        try {
            return switch (definition.type()) {
                case "echo" -> new EchoExpert(definition);
                case "engine" -> instrumented(new EngineExpert(definition, where, engine));
                case "upstream" -> {
                    if (definition.baseUrl() == null || !definition.baseUrl().matches("https?://.+")) {
                        throw new IllegalArgumentException(where + ".base-url must be an http(s) URL such as http://vllm:8000/v1");
                    }
                    // registered now, so the dashboard's retry panel reads 0 rather than nothing
                    Counter retries = Counter.builder("ensemble.expert.retries")
                            .description("Second and later attempts to reach an expert's server (connection failures)")
                            .tag("expert", definition.id()).register(meters);
                    yield new UpstreamExpert(definition, HttpClient.newBuilder()
                            .version(HttpClient.Version.HTTP_1_1)
                            .connectTimeout(definition.connectTimeout())
                            .build(), retries::increment);
                }
                default -> throw new IllegalArgumentException(where + ".type must be 'upstream', 'engine' or 'echo', not '"
                        + definition.type() + "'");
            };
        } catch (IllegalStateException | UncheckedIOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
