package ai.ensemble.engine.sampling;

import java.util.List;

/**
 * The chosen token, its log-probability, and the most likely alternatives (empty unless asked for),
 * most likely first. Log-probabilities are of the distribution after penalties and before
 * temperature and truncation, as OpenAI's {@code logprobs} report.
 */
public record SampledToken(int token, float logprob, List<TokenLogprob> topLogprobs) {

    public SampledToken {
        topLogprobs = List.copyOf(topLogprobs);
    }
}
