package ai.ensemble.api.internal;

/** The client closed the connection mid-stream; generation is cancelled. */
final class ClientGoneException extends RuntimeException {

    ClientGoneException(Throwable cause) {
        super("client disconnected", cause, false, false);
    }
}
