package ai.ensemble.shared;

/** A streamed body went past the configured size (413) or time (408) limit. */
class PayloadTooLargeException extends ApiException {

    PayloadTooLargeException(ApiError error) {
        super(error);
    }
}
