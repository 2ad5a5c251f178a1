package ai.ensemble.guardrail;

/** Where a detector runs: on what callers send, or on what models answer. */
public enum Stage {
    INPUT,
    OUTPUT
}
