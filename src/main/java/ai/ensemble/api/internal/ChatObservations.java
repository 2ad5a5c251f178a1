package ai.ensemble.api.internal;

import java.util.function.Function;
import java.util.function.Supplier;

import ai.ensemble.expert.Completion;
import ai.ensemble.shared.ApiException;
import io.micrometer.common.KeyValues;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.stereotype.Component;

/**
 * The stages of a chat request as Micrometer observations: each becomes a child span of the
 * request's server span when tracing is on, and a timer either way ({@code ensemble.chat.stage}
 * by stage, {@code ensemble.expert.call} by expert). Attributes carry identifiers, scores, counts
 * and statuses, never prompt or answer text.
 *
 * <p>Low-cardinality keys (metric tags): {@code stage}, {@code expert}, {@code outcome}. The rest
 * are span attributes only.
 */
@Component
class ChatObservations {

    static final String STAGE = "ensemble.chat.stage";
    static final String EXPERT_CALL = "ensemble.expert.call";

    static final String ROUTING = "routing";
    static final String INPUT_GUARDRAILS = "input-guardrails";
    static final String RETRIEVAL = "retrieval";
    static final String QUOTA = "quota";
    static final String OUTPUT_GUARDRAILS = "output-guardrails";
    static final String AUDIT_COMMIT = "audit-commit";

    private final ObservationRegistry registry;

    ChatObservations(ObservationRegistry registry) {
        this.registry = registry;
    }

    /**
     * Runs one stage in its own observation; {@code attributes} describes the stage's result (span
     * attributes) before the observation ends. A thrown exception marks the stage refused (an
     * {@link ApiException}: the request was turned away) or failed.
     */
    <T> T stage(String stage, Supplier<T> work, Function<? super T, KeyValues> attributes) {
        Observation observation = Observation.createNotStarted(STAGE, registry)
                .contextualName(stage)
                .lowCardinalityKeyValue("stage", stage)
                .start();
        try (Observation.Scope scope = observation.openScope()) {
            T result = work.get();
            observation.highCardinalityKeyValues(attributes.apply(result));
            observation.lowCardinalityKeyValue("outcome", "ok");
            return result;
        } catch (RuntimeException e) {
            observation.lowCardinalityKeyValue("outcome", e instanceof ApiException ? "refused" : "error");
            if (e instanceof ApiException refused) {
                observation.highCardinalityKeyValue("http.status", String.valueOf(refused.error().status().value()));
            }
            observation.error(e);
            throw e;
        } finally {
            observation.stop();
        }
    }

    /** A stage that returns nothing. */
    void stage(String stage, Runnable work, KeyValues attributes) {
        stage(stage, () -> {
            work.run();
            return null;
        }, ignored -> attributes);
    }

    /** A started, scoped observation of one attempt to have {@code expertId} answer; end it with {@link ExpertCall#close()}. */
    ExpertCall expertCall(String expertId, long requestStartedNanos) {
        Observation observation = Observation.createNotStarted(EXPERT_CALL, registry)
                .contextualName("expert " + expertId)
                .lowCardinalityKeyValue("expert", expertId)
                .lowCardinalityKeyValue("outcome", "ok")
                .start();
        return new ExpertCall(observation, observation.openScope(), requestStartedNanos);
    }

    /** One expert call in progress: the first token, the tokens used and how it ended go on its span. */
    static final class ExpertCall implements AutoCloseable {
        private static final Observation.Event FIRST_TOKEN = Observation.Event.of("first-token");

        private final Observation observation;
        private final Observation.Scope scope;
        private final long requestStartedNanos;
        private boolean firstToken;

        private ExpertCall(Observation observation, Observation.Scope scope, long requestStartedNanos) {
            this.observation = observation;
            this.scope = scope;
            this.requestStartedNanos = requestStartedNanos;
        }

        /** The expert produced its first text: an event, and the time to first token since the request arrived. */
        void firstToken() {
            if (firstToken) {
                return;
            }
            firstToken = true;
            observation.event(FIRST_TOKEN);
            observation.highCardinalityKeyValue("ensemble.time_to_first_token_ms",
                    String.valueOf((System.nanoTime() - requestStartedNanos) / 1_000_000));
        }

        void completed(Completion completion) {
            observation.highCardinalityKeyValue("gen_ai.usage.input_tokens", String.valueOf(completion.usage().promptTokens()));
            observation.highCardinalityKeyValue("gen_ai.usage.output_tokens", String.valueOf(completion.usage().completionTokens()));
            observation.highCardinalityKeyValue("gen_ai.response.finish_reasons", completion.finishReason());
        }

        /** The attempt ended without an answer: {@code outcome} is a short fixed word (a metric tag), such as the failure's kind. */
        void failed(String outcome, RuntimeException e) {
            observation.lowCardinalityKeyValue("outcome", outcome);
            observation.error(e);
        }

        @Override
        public void close() {
            scope.close();
            observation.stop();
        }
    }
}
