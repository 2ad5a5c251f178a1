package ai.ensemble.api.internal;

import java.time.Instant;

import ai.ensemble.security.Caller;

/**
 * One chat request in flight: who asked, what, and when it arrived. {@code dataClassification} is
 * what the caller declared (header {@code X-Ensemble-Data-Classification}), or null.
 */
public record ChatExchange(String requestId, String clientRequestId, Caller caller, String clientApp, ChatCompletionRequest request,
                           Instant receivedAt, long startedNanos, String dataClassification) {

    String completionId() {
        return "chatcmpl-" + requestId;
    }

    long created() {
        return receivedAt.getEpochSecond();
    }
}
