package ai.ensemble.shared;

import java.util.Map;

/** Thrown anywhere in request handling to answer the caller with {@link ApiError}. */
public class ApiException extends RuntimeException {

    private final ApiError error;
    private final Map<String, String> headers;

    public ApiException(ApiError error) {
        this(error, Map.of());
    }

    /** With response headers to send along (e.g. {@code Retry-After} with a 429). */
    public ApiException(ApiError error, Map<String, String> headers) {
        super(error.message(), null, false, false);
        this.error = error;
        this.headers = Map.copyOf(headers);
    }

    public ApiError error() {
        return error;
    }

    public Map<String, String> headers() {
        return headers;
    }
}
