package ai.ensemble.audit;

/** The audit store could not commit; the request must fail with 503 rather than go unaudited. */
public class AuditUnavailableException extends RuntimeException {

    public AuditUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
