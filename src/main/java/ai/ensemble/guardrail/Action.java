package ai.ensemble.guardrail;

/** What a policy does with a finding. */
public enum Action {
    /** Reject the request (input) or stop the stream (output). */
    BLOCK,
    /** Replace the span with a typed placeholder such as {@code [EMAIL_1]}. */
    REDACT,
    /** Let the text through unchanged and record the finding. */
    FLAG
}
