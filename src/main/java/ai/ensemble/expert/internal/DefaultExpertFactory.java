package ai.ensemble.expert.internal;

import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;

import ai.ensemble.engine.LocalModel;
import ai.ensemble.engine.ServiceToken;
import ai.ensemble.expert.Expert;
import ai.ensemble.expert.ExpertDefinition;
import ai.ensemble.expert.ExpertFactory;
import ai.ensemble.expert.ExpertSettings;
import ai.ensemble.expert.OutboundHeaders;
import ai.ensemble.runtime.Role;
import ai.ensemble.shared.TraceHeaders;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Component;

/**
 * Builds upstream, engine, worker and echo experts; the engine's backend and queue come from
 * {@code ensemble.engine.*}, the workers' token secret and load polling from {@code ensemble.worker.*}.
 * In the {@code gateway} role ({@code ensemble.role}) engine experts are refused: models run on the
 * inference workers.
 */
@Component
class DefaultExpertFactory implements ExpertFactory {

    private final LocalModel.Options engine;
    private final MeterRegistry meters;
    private final String role;
    private final String workerTokenSecret;
    private final Duration workerPollInterval;
    private final ObjectProvider<OutboundHeaders> outboundHeaders;

    DefaultExpertFactory(@Value("${ensemble.engine.backend:auto}") String engineBackend,
                         @Value("${ensemble.engine.max-waiting:" + LocalModel.Options.DEFAULT_MAX_WAITING + "}") int engineMaxWaiting,
                         @Value("${ensemble.role:all}") String role,
                         @Value("${ensemble.worker.token-secret:}") String workerTokenSecret,
                         @Value("${ensemble.worker.poll-interval:1s}") Duration workerPollInterval,
                         ObjectProvider<OutboundHeaders> outboundHeaders,
                         ExpertSettings configured,
                         MeterRegistry meters) {
        this.engine = new LocalModel.Options(engineBackend, engineMaxWaiting, true);
        this.meters = meters;
        this.role = Role.of(role).value();
        checkConfigured(configured.experts(), this.role, workerTokenSecret);
        this.workerTokenSecret = workerTokenSecret;
        this.workerPollInterval = workerPollInterval;
        this.outboundHeaders = outboundHeaders;
    }

    /**
     * Fails the start when configured experts cannot run in this role: an engine expert in the gateway
     * role (models run on the workers), or a worker expert without a usable token secret; and when the
     * inference-worker role reached Spring (it was set only in application.yml, which the start does not read).
     */
    static void checkConfigured(List<ExpertDefinition> experts, String role, String workerTokenSecret) {
        if (role.equals(Role.INFERENCE_WORKER.value())) {
            throw new IllegalStateException("ensemble.role is inference-worker, but the gateway is starting: the role is chosen "
                    + "before Spring starts, so set it as ENSEMBLE_ROLE in the environment or --ensemble.role on the command line");
        }
        for (int i = 0; i < experts.size(); i++) {
            ExpertDefinition expert = experts.get(i);
            if (expert.type().equals("engine") && role.equals("gateway")) {
                throw new IllegalStateException("ensemble.experts[" + i + "] ('" + expert.id() + "') is an engine expert, but "
                        + "ensemble.role is gateway: run the model on inference workers (ENSEMBLE_ROLE=inference-worker) and "
                        + "configure a 'worker' expert with their URLs, or use role 'all'");
            }
            if (expert.type().equals("worker") && (workerTokenSecret == null
                    || workerTokenSecret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length < ServiceToken.MIN_SECRET_BYTES)) {
                throw new IllegalStateException("ensemble.experts[" + i + "] ('" + expert.id() + "') calls inference workers: "
                        + "ensemble.worker.token-secret (env ENSEMBLE_WORKER_TOKEN_SECRET) must be the secret they share, at least "
                        + ServiceToken.MIN_SECRET_BYTES + " bytes");
            }
        }
    }

    /**
     * A pool over the definition's workers, with gauges per worker (this gateway's requests in flight,
     * the load it last reported, whether it is up) and a counter of requests passed on to another worker.
     */
    private WorkerExpert worker(ExpertDefinition definition, String where) {
        List<URI> bases = WorkerExpert.bases(definition.baseUrl(), where);
        ServiceToken tokens;
        try {
            tokens = ServiceToken.ofSecret(workerTokenSecret);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("ensemble.worker.token-secret (env ENSEMBLE_WORKER_TOKEN_SECRET) must be set to "
                    + "the secret the inference workers share, at least " + ServiceToken.MIN_SECRET_BYTES + " bytes, to call them");
        }
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(definition.connectTimeout()).build();
        WorkerPool pool = new WorkerPool(definition.id(), bases, http, tokens, workerPollInterval);
        String id = definition.id();
        for (WorkerPool.Worker w : pool.workers()) {
            String name = w.base.getAuthority();
            Gauge.builder("ensemble.worker.in.flight", w, x -> x.inFlight.get())
                    .description("This gateway's requests in flight on the inference worker").tags("expert", id, "worker", name)
                    .register(meters);
            Gauge.builder("ensemble.worker.load", w, x -> x.load.queued() + x.load.running())
                    .description("Generations queued and running, as the inference worker last reported")
                    .tags("expert", id, "worker", name).register(meters);
            Gauge.builder("ensemble.worker.kv.fraction", w, x -> x.load.kvFraction())
                    .description("KV-cache use the inference worker last reported (0 to 1)").tags("expert", id, "worker", name)
                    .register(meters);
            Gauge.builder("ensemble.worker.up", w, x -> x.up ? 1 : 0)
                    .description("Whether the inference worker answers (1) or is down (0)").tags("expert", id, "worker", name)
                    .register(meters);
        }
        Counter retries = Counter.builder("ensemble.worker.retries")
                .description("Requests passed on to another inference worker before their first token").tag("expert", id)
                .register(meters);
        return new WorkerExpert(definition, pool, http, tokens, outboundHeaders.getIfAvailable(() -> TraceHeaders::current), retries);
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
                case "engine" -> {
                    if (role.equals("gateway")) {
                        throw new IllegalArgumentException(where + ".type 'engine' cannot run in the gateway role (ensemble.role="
                                + "gateway): models run on the inference workers; use type 'worker' with their URLs");
                    }
                    yield instrumented(new EngineExpert(definition, where, engine));
                }
                case "worker" -> worker(definition, where);
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
                default -> throw new IllegalArgumentException(where + ".type must be 'upstream', 'engine', 'worker' or 'echo', not '"
                        + definition.type() + "'");
            };
        } catch (IllegalStateException | UncheckedIOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
