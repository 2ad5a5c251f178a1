package ai.ensemble.api.internal;

import java.util.Map;

import ai.ensemble.expert.ExpertRequest;

/**
 * A validated {@code /v1/chat/completions} request: the model asked for, whether to stream, and
 * what the expert receives. {@code parameters} is the request as received, minus nothing, for the
 * audit record.
 */
public record ChatCompletionRequest(String model, boolean stream, boolean includeUsage, ExpertRequest expertRequest,
                                    Map<String, Object> parameters) {
}
