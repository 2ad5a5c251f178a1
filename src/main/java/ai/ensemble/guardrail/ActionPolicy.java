package ai.ensemble.guardrail;

import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Which action each entity type gets, and the score below which a finding is ignored. Policies per
 * role and per application are built from these by the integration.
 */
public record ActionPolicy(Map<EntityType, Action> actions, Action otherwise, double minimumScore) {

    /** The score a finding needs by default: detectors score bare, context-free matches below it. */
    public static final double DEFAULT_MINIMUM_SCORE = 0.5;

    public ActionPolicy {
        Objects.requireNonNull(otherwise, "otherwise");
        if (!(minimumScore >= 0 && minimumScore <= 1)) {
            throw new IllegalArgumentException("minimumScore must lie in [0, 1], was " + minimumScore);
        }
        actions = actions.isEmpty() ? Map.of() : Map.copyOf(new EnumMap<>(actions));
    }

    /** Redact everything found at or above the default score. */
    public static ActionPolicy redactAll() {
        return new ActionPolicy(Map.of(), Action.REDACT, DEFAULT_MINIMUM_SCORE);
    }

    public static ActionPolicy of(Map<EntityType, Action> actions, Action otherwise) {
        return new ActionPolicy(actions, otherwise, DEFAULT_MINIMUM_SCORE);
    }

    /** The verdict for {@code finding}, or empty where its score is below {@link #minimumScore()}. */
    public Optional<Verdict> judge(Finding finding) {
        if (finding.score() < minimumScore) {
            return Optional.empty();
        }
        return Optional.of(new Verdict(finding, actions.getOrDefault(finding.type(), otherwise)));
    }
}
