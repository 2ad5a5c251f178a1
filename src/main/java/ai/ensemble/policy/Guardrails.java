package ai.ensemble.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import ai.ensemble.guardrail.Action;
import ai.ensemble.guardrail.ActionPolicy;
import ai.ensemble.guardrail.Detectors;
import ai.ensemble.guardrail.Redactor;
import ai.ensemble.guardrail.Stage;
import ai.ensemble.policy.internal.InjectionDetector;
import ai.ensemble.policy.internal.PolicyStore;
import ai.ensemble.policy.internal.TopicDetectors;
import ai.ensemble.security.Caller;
import ai.ensemble.shared.ApiError;
import ai.ensemble.shared.ApiException;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

/** The guardrails of the chat path: which policies apply to a request, compiled into a {@link Screening}. */
@Service
public class Guardrails {

    private final PolicyStore store;
    /** The prompt-injection classifier, trained on first use (it needs the embedding model). */
    private volatile InjectionDetector injection;
    /** Denied topics' detectors by policy and topic content: embedding the examples once per version. */
    private final java.util.Map<String, TopicDetectorHolder> topics = new java.util.concurrent.ConcurrentHashMap<>();

    private record TopicDetectorHolder(PolicyDefinition.Topic topic, ai.ensemble.guardrail.Detector detector) {
    }

    private final java.nio.file.Path injectionExamples;

    Guardrails(PolicyStore store, ai.ensemble.policy.internal.GuardrailSettings settings) {
        this.store = store;
        this.injectionExamples = settings.injectionExamples();
    }

    /** The screening of a request by {@code caller} from {@code clientApp} (may be null) to {@code expertId}. */
    public Screening screen(Caller caller, String clientApp, String expertId) {
        List<PolicyDefinition> enabled = store.enabled();
        forgetTopicsOutside(enabled);
        List<PolicyDefinition> applicable = enabled.stream()
                .filter(policy -> policy.appliesTo(caller.roles(), clientApp, expertId)).toList();
        return applicable.isEmpty() ? Screening.none() : screenWith(applicable);
    }

    /**
     * Drops the topic detectors of policies deleted, disabled or changed since they were built (and of
     * drafts only tested), so the cache holds at most the enabled policies' topics. Cheap when nothing
     * is stale: a size comparison.
     */
    private void forgetTopicsOutside(List<PolicyDefinition> enabled) {
        java.util.Set<String> live = new java.util.HashSet<>();
        for (PolicyDefinition policy : enabled) {
            for (PolicyDefinition.Topic topic : policy.topics()) {
                live.add(topicKey(policy, topic));
            }
        }
        if (topics.size() > live.size() || !live.containsAll(topics.keySet())) {
            topics.keySet().retainAll(live);
        }
    }

    /** The keys of the topic detectors held now (tests). */
    java.util.Set<String> cachedTopics() {
        return java.util.Set.copyOf(topics.keySet());
    }

    private static String topicKey(PolicyDefinition policy, PolicyDefinition.Topic topic) {
        return policy.id() + "/" + topic.name();
    }

    /** A screening with exactly these policies, whoever asks (the admin API's "test a text"). */
    public Screening screenWith(List<PolicyDefinition> policies) {
        List<Screening.Compiled> input = new ArrayList<>();
        List<Screening.Compiled> output = new ArrayList<>();
        List<Screening.Compiled> context = new ArrayList<>();
        Screening.Limit prompt = null;
        Screening.Limit answer = null;
        for (PolicyDefinition policy : policies) {
            compile(policy, Stage.INPUT).ifPresent(input::add);
            compile(policy, Stage.OUTPUT).ifPresent(output::add);
            compile(policy, Stage.CONTEXT).ifPresent(context::add);
            if (policy.maxPromptTokens() != null && (prompt == null || policy.maxPromptTokens() < prompt.tokens())) {
                prompt = new Screening.Limit(policy.maxPromptTokens(), policy.id());
            }
            if (policy.maxOutputTokens() != null && (answer == null || policy.maxOutputTokens() < answer.tokens())) {
                answer = new Screening.Limit(policy.maxOutputTokens(), policy.id());
            }
        }
        return new Screening(input, output, context, policies.stream().map(PolicyDefinition::id).toList(), prompt, answer);
    }

    private java.util.Optional<Screening.Compiled> compile(PolicyDefinition policy, Stage stage) {
        if (!policy.stages().contains(stage)) {
            return java.util.Optional.empty();
        }
        if (policy.detectors().isEmpty() && policy.topics().isEmpty()) {
            return java.util.Optional.empty(); // size limits only
        }
        List<ai.ensemble.guardrail.Detector> detectors = new ArrayList<>(Detectors.named(policy.detectors().stream()
                .filter(id -> !id.equals(InjectionDetector.ID)).toArray(String[]::new)));
        if (policy.detectors().contains(InjectionDetector.ID)) {
            detectors.add(injection());
        }
        for (PolicyDefinition.Topic topic : policy.topics()) {
            detectors.add(topics.compute(topicKey(policy, topic), (key, held) ->
                    held != null && held.topic().equals(topic) ? held : new TopicDetectorHolder(topic, TopicDetectors.of(topic))).detector());
        }
        Redactor redactor = Redactor.forStage(stage, detectors,
                new ActionPolicy(policy.actions(), policy.defaultAction(), policy.minScore()));
        return redactor.detectors().isEmpty() ? java.util.Optional.empty()
                : java.util.Optional.of(new Screening.Compiled(policy.id(), redactor));
    }

    /**
     * The redactor the evaluation API measures for {@code policy}: its input stage's, else its output
     * stage's (the built-in detectors run at both; only prompt-injection and topics are input-only).
     */
    public List<Redactor> redactors(PolicyDefinition policy) {
        return compile(policy, Stage.INPUT).or(() -> compile(policy, Stage.OUTPUT)).or(() -> compile(policy, Stage.CONTEXT))
                .map(compiled -> List.of(compiled.redactor())).orElse(List.of());
    }

    private InjectionDetector injection() {
        InjectionDetector trained = injection;
        if (trained == null) {
            synchronized (this) {
                trained = injection;
                if (trained == null) {
                    trained = InjectionDetector.trained(injectionExamples);
                    injection = trained;
                }
            }
        }
        return trained;
    }

    /** The error for a blocked prompt: 400, naming the policy and what it found (never the value). */
    public static ApiException inputBlocked(Screening.Input input) {
        return new ApiError(HttpStatus.BAD_REQUEST, "The request was blocked by policy '" + input.blockedBy() + "': it contains "
                + describe(input.blockedType()) + ", which this policy does not allow", "invalid_request_error", "messages",
                "policy_violation").exception();
    }

    /** The error for a blocked answer: 403, naming the policy. */
    public static ApiError outputBlocked(String policy, String type) {
        return new ApiError(HttpStatus.FORBIDDEN, "The answer was withheld by policy '" + policy + "': it contained "
                + describe(type), "invalid_request_error", null, "policy_violation");
    }

    private static String describe(String type) {
        return type == null ? "content the policy blocks" : "a " + type.toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    }

}
