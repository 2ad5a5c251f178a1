package ai.ensemble.api.internal;

import java.io.IOException;

/** Where a streamed answer goes; {@link #start} commits the 200 status and headers. */
public interface SseOutput {

    void start(String expertId) throws IOException;

    boolean started();

    void event(String data) throws IOException;
}
