package ai.ensemble.expert;

/**
 * An expert could not answer. {@code beforeFirstToken} says whether the caller may still retry
 * elsewhere or answer with a clean error (true), or has already streamed part of an answer.
 */
public class ExpertException extends RuntimeException {

    /**
     * {@code REJECTED}: the request cannot be served as asked (e.g. the prompt exceeds the context): a 400.
     * {@code BUSY}: the expert has too much to do right now (its queue is full); retry after
     * {@link #retryAfterSeconds()}: a 429.
     */
    public enum Kind { UNAVAILABLE, TIMEOUT, UPSTREAM_ERROR, CANCELLED, REJECTED, BUSY }

    private final Kind kind;
    private final boolean beforeFirstToken;
    private final Integer retryAfterSeconds;

    public ExpertException(Kind kind, String message, boolean beforeFirstToken, Throwable cause) {
        this(kind, message, beforeFirstToken, cause, null);
    }

    /** @param retryAfterSeconds when the caller may retry (for {@code BUSY}), or null */
    public ExpertException(Kind kind, String message, boolean beforeFirstToken, Throwable cause, Integer retryAfterSeconds) {
        super(message, cause);
        this.kind = kind;
        this.beforeFirstToken = beforeFirstToken;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** When the caller may retry, in seconds, or null when the expert did not say. */
    public Integer retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public Kind kind() {
        return kind;
    }

    public boolean beforeFirstToken() {
        return beforeFirstToken;
    }
}
