package ai.ensemble.api.internal;

import java.util.Map;

import ai.ensemble.expert.ExpertRequest;

/**
 * A validated {@code /v1/chat/completions} request: the model asked for, whether to stream, what the
 * expert receives, and the knowledge bases to ground the answer in ({@code kbs}, an Ensemble
 * extension; empty: the expert's defaults). {@code parameters} is the request as received, minus
 * nothing, for the audit record.
 */
public record ChatCompletionRequest(String model, boolean stream, boolean includeUsage, ExpertRequest expertRequest,
                                    Map<String, Object> parameters, java.util.List<String> kbs) {

    public ChatCompletionRequest {
        kbs = kbs == null ? java.util.List.of() : java.util.List.copyOf(kbs);
    }

    public ChatCompletionRequest(String model, boolean stream, boolean includeUsage, ExpertRequest expertRequest,
                                 Map<String, Object> parameters) {
        this(model, stream, includeUsage, expertRequest, parameters, java.util.List.of());
    }
}
