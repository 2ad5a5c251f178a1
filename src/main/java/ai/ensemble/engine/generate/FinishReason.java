package ai.ensemble.engine.generate;

/** Why generation ended, by OpenAI's names (plus {@code cancelled}). */
public enum FinishReason {
    /** A stop token (an end-of-sequence token or one asked for) or a stop string. */
    STOP("stop"),
    /** maxTokens generated, or the context is full. */
    LENGTH("length"),
    /** The caller's cancellation flag was raised. */
    CANCELLED("cancelled");

    private final String wireName;

    FinishReason(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
