package ai.ensemble.policy;

import java.util.List;
import java.util.Map;
import java.util.Set;

import ai.ensemble.guardrail.Action;
import ai.ensemble.guardrail.EntityType;
import ai.ensemble.guardrail.Stage;

/**
 * One policy: the detectors it runs at its stages (the built-in ones of the guardrail module and
 * {@code prompt-injection}) and its denied topics, the action per entity type (others get
 * {@code defaultAction}), findings below {@code minScore} ignored, size limits per request (prompt
 * tokens, estimated; output tokens), and its scope — the roles, client apps ({@code X-Client-App})
 * and experts it applies to, each empty for all.
 */
public record PolicyDefinition(String id, String description, boolean enabled, List<String> roles, List<String> apps,
                               List<String> experts, Set<Stage> stages, List<String> detectors, List<Topic> topics,
                               Map<EntityType, Action> actions, Action defaultAction, double minScore, Integer maxPromptTokens,
                               Integer maxOutputTokens) {

    /** A denied topic: texts similar in meaning to its description or examples are findings of type DENIED_TOPIC. */
    public record Topic(String name, String description, List<String> examples) {
        public Topic {
            examples = List.copyOf(examples);
        }

        /** What the topic's detector compares a text with. */
        public List<String> texts() {
            List<String> all = new java.util.ArrayList<>(examples);
            if (description != null && !description.isBlank()) {
                all.add(description);
            }
            return all;
        }
    }

    public PolicyDefinition {
        topics = List.copyOf(topics);
        roles = List.copyOf(roles);
        apps = List.copyOf(apps);
        experts = List.copyOf(experts);
        stages = Set.copyOf(stages);
        detectors = List.copyOf(detectors);
        actions = Map.copyOf(actions);
    }

    /** Whether this policy covers a request of a caller with {@code roles}, from {@code app}, to {@code expert}. */
    public boolean appliesTo(Set<String> callerRoles, String app, String expert) {
        return enabled
                && (roles.isEmpty() || roles.stream().anyMatch(callerRoles::contains))
                && (apps.isEmpty() || (app != null && apps.contains(app)))
                && (experts.isEmpty() || (expert != null && experts.contains(expert)));
    }
}
