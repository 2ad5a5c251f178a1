package ai.ensemble.router;

import java.util.List;
import java.util.Optional;

import ai.ensemble.expert.ChatMessage;
import ai.ensemble.expert.Expert;
import ai.ensemble.security.Caller;

/** Picks exactly one expert the caller may use for each request, and learns which experts are failing. */
public interface Router {

    String AUTO = "auto";

    /**
     * @param model              an expert id, or {@code auto} (or null) to let the router choose
     * @param stream             whether the answer is streamed: experts that do not stream are not chosen
     * @param dataClassification {@code public}, {@code internal}, {@code confidential}, or null for the default
     * @throws ai.ensemble.shared.ApiException 404 for an unknown model, 403 when the caller may not use it
     *                                         (or no expert at all), 400 for an unknown classification
     *                                         or a stream asked of an expert that does not stream,
     *                                         503 when every expert the caller may use is unhealthy
     */
    Route route(Caller caller, String model, List<ChatMessage> messages, boolean stream, String dataClassification);

    /** The next best expert after {@code failed} failed before its first token, if the router chose and one is left. */
    Optional<Route> reroute(Route failed);

    void succeeded(String expertId);

    void failed(String expertId, String reason);

    /** The enabled experts this caller may use, in registry order. */
    List<Expert> usable(Caller caller);
}
