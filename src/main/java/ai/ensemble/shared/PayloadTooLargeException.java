package ai.ensemble.shared;

/** A streamed body went past the configured limit; answered with 413. */
class PayloadTooLargeException extends ApiException {

    PayloadTooLargeException(ApiError error) {
        super(error);
    }
}
