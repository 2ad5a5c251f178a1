package ai.ensemble.expert;

/**
 * An expert could not answer. {@code beforeFirstToken} says whether the caller may still retry
 * elsewhere or answer with a clean error (true), or has already streamed part of an answer.
 */
public class ExpertException extends RuntimeException {

    /** {@code REJECTED}: the request cannot be served as asked (e.g. the prompt exceeds the context): a 400. */
    public enum Kind { UNAVAILABLE, TIMEOUT, UPSTREAM_ERROR, CANCELLED, REJECTED }

    private final Kind kind;
    private final boolean beforeFirstToken;

    public ExpertException(Kind kind, String message, boolean beforeFirstToken, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.beforeFirstToken = beforeFirstToken;
    }

    public Kind kind() {
        return kind;
    }

    public boolean beforeFirstToken() {
        return beforeFirstToken;
    }
}
