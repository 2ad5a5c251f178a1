package ai.ensemble.guardrail;

import java.util.Objects;

/** A finding with the action the policy chose for it: the evidence an audit record keeps. */
public record Verdict(Finding finding, Action action) {

    public Verdict {
        Objects.requireNonNull(finding, "finding");
        Objects.requireNonNull(action, "action");
    }
}
