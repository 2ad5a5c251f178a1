package ai.ensemble.audit;

/** Appends audit events durably: when {@link #append} returns, the event is committed. */
public interface AuditLog {

    /**
     * @throws AuditUnavailableException when the event could not be committed and the deployment
     *                                   fails closed (the default): the caller must not answer
     */
    void append(AuditEvent event);
}
