package ai.ensemble.engine.sampling;

/** A token and its log-probability under the model's distribution after penalties, before temperature. */
public record TokenLogprob(int token, float logprob) {
}
