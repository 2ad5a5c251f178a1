package ai.ensemble.shared;

/** Thrown anywhere in request handling to answer the caller with {@link ApiError}. */
public class ApiException extends RuntimeException {

    private final ApiError error;

    public ApiException(ApiError error) {
        super(error.message(), null, false, false);
        this.error = error;
    }

    public ApiError error() {
        return error;
    }
}
