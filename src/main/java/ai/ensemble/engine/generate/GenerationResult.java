package ai.ensemble.engine.generate;

import java.util.List;

import ai.ensemble.engine.sampling.SampledToken;

/**
 * The outcome of one generation.
 *
 * @param ids                   generated token ids (without the stop token; with the tokens of a stop string)
 * @param text                  their text, ending before a stop string
 * @param tokens                each generated token with its log-probabilities
 * @param prefillMillis         wall time of the prompt's forward pass, to the first logits
 * @param decodeTokensPerSecond forward passes after the prefill per second of their wall time (0 if none)
 */
public record GenerationResult(List<Integer> ids, String text, FinishReason finishReason, int promptTokens,
                               int completionTokens, List<SampledToken> tokens, double prefillMillis,
                               double decodeTokensPerSecond) {

    public GenerationResult {
        ids = List.copyOf(ids);
        tokens = List.copyOf(tokens);
    }
}
