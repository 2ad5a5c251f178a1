package ai.ensemble.policy.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SortedSet;

import ai.ensemble.guardrail.Action;
import ai.ensemble.guardrail.Stage;
import ai.ensemble.guardrail.Verdict;
import ai.ensemble.policy.Guardrails;
import ai.ensemble.policy.PolicyAdministration;
import ai.ensemble.policy.PolicyDefinition;
import ai.ensemble.policy.Screening;
import ai.ensemble.shared.ApiError;
import org.springframework.stereotype.Service;

/** {@link PolicyAdministration} over the store and the screening the chat path uses. */
@Service
class PolicyAdministrationService implements PolicyAdministration {

    private final PolicyStore store;
    private final Guardrails guardrails;

    PolicyAdministrationService(PolicyStore store, Guardrails guardrails) {
        this.store = store;
        this.guardrails = guardrails;
    }

    @Override
    public List<PolicyDefinition> list() {
        return store.list();
    }

    @Override
    public Optional<PolicyDefinition> find(String id) {
        return store.find(id);
    }

    @Override
    public PolicyDefinition create(Draft draft, String by) {
        return store.create(request(draft), by);
    }

    @Override
    public PolicyDefinition replace(String id, Draft draft, String by) {
        return store.replace(id, request(draft), by);
    }

    @Override
    public PolicyDefinition delete(String id) {
        return store.delete(id);
    }

    @Override
    public SortedSet<String> detectorIds() {
        return PolicyStore.detectorIds();
    }

    @Override
    public TestResult test(TextTest test) {
        if (test.text() == null || test.text().isEmpty()) {
            throw ApiError.invalidRequest("text", "'text' is required").exception();
        }
        if (test.text().length() > 100_000) {
            throw ApiError.invalidRequest("text", "'text' may hold at most 100,000 characters").exception();
        }
        Stage stage;
        try {
            stage = Stage.valueOf(String.valueOf(test.stage()).toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiError.invalidRequest("stage", "'stage' must be input, output or context").exception();
        }
        List<PolicyDefinition> chosen;
        if (test.policy() != null && !test.policy().isBlank()) {
            chosen = List.of(store.find(test.policy()).orElseThrow(() -> PolicyStore.notFound(test.policy())));
        } else {
            String role = test.role() == null ? "" : test.role().strip();
            chosen = store.enabled().stream()
                    .filter(policy -> role.isEmpty() || policy.roles().isEmpty() || policy.roles().contains(role)).toList();
        }
        Screening screening = guardrails.screenWith(chosen);
        List<Step> steps = new ArrayList<>();
        Action strongest = null;
        String blockedBy = null;
        String result = test.text();
        for (Screening.Pass pass : screening.trace(test.text(), stage)) {
            List<Finding> findings = new ArrayList<>();
            for (Verdict verdict : pass.verdicts()) {
                findings.add(new Finding(verdict.finding().detector(), verdict.finding().type().name(),
                        verdict.action().name().toLowerCase(Locale.ROOT), Math.round(verdict.finding().score() * 1000) / 1000.0,
                        verdict.finding().start(), verdict.finding().end()));
                // Action's order is BLOCK, REDACT, FLAG: the smallest ordinal is the strongest.
                if (strongest == null || verdict.action().ordinal() < strongest.ordinal()) {
                    strongest = verdict.action();
                }
            }
            if (pass.blocked() && blockedBy == null) {
                blockedBy = pass.policy();
            }
            steps.add(new Step(pass.policy(), pass.screened(), findings, pass.blocked()));
            result = pass.left();
        }
        String verdict = strongest == null ? "allow" : strongest.name().toLowerCase(Locale.ROOT);
        return new TestResult(verdict, blockedBy, blockedBy == null ? result : null,
                chosen.stream().map(PolicyDefinition::id).toList(), steps);
    }

    private static PolicyStore.PolicyRequest request(Draft draft) {
        if (draft == null) {
            return null;
        }
        List<PolicyStore.TopicRequest> topics = draft.topics() == null ? null : draft.topics().stream()
                .map(topic -> topic == null ? null : new PolicyStore.TopicRequest(topic.name(), topic.description(), topic.examples()))
                .toList();
        return new PolicyStore.PolicyRequest(draft.id(), draft.description(), draft.enabled(), draft.roles(), draft.apps(),
                draft.experts(), draft.stages(), draft.detectors(), topics, draft.actions(), draft.defaultAction(), draft.minScore(),
                draft.maxPromptTokens(), draft.maxOutputTokens());
    }
}
