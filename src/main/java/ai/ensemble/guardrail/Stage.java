package ai.ensemble.guardrail;

/** Where a detector runs: on what callers send, on the knowledge-base passages retrieved for them, or on what models answer. */
public enum Stage {
    INPUT,
    OUTPUT,
    /** Retrieved passages, before they go into a prompt (indirect prompt injection, personal data in documents). */
    CONTEXT
}
