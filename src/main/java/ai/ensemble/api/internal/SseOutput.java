package ai.ensemble.api.internal;

import java.io.IOException;

import ai.ensemble.router.RoutingDecision;

/** Where a streamed answer goes; {@link #start} commits the 200 status and headers (the routing ones included). */
public interface SseOutput {

    void start(RoutingDecision decision) throws IOException;

    boolean started();

    void event(String data) throws IOException;
}
