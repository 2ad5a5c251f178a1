package ai.ensemble.engine.sampling;

/**
 * How the next token is chosen from logits. Penalties apply first (to raw logits), then: greedy
 * when temperature is 0; otherwise logits / temperature, top-k, softmax, top-p, min-p, and a draw.
 *
 * @param temperature        0 = greedy (argmax); higher flattens the distribution
 * @param topK               keep the k most likely tokens; 0 = all
 * @param topP               keep the smallest set of most likely tokens whose mass is at least p; 1 = all
 * @param minP               drop tokens less likely than minP × the most likely one's probability; 0 = none
 * @param repetitionPenalty  Hugging Face/CTRL style, over prompt and output tokens: a positive logit is
 *                           divided by it, a negative one multiplied; 1 = none
 * @param presencePenalty    OpenAI style, over output tokens: subtracted once from each token that occurred
 * @param frequencyPenalty   OpenAI style, over output tokens: subtracted once per occurrence
 * @param seed               seeds the draw: the same seed gives the same tokens; null = a fresh seed
 * @param topLogprobs        how many most likely alternatives to report with each token (0-20)
 */
public record SamplingSettings(float temperature, int topK, float topP, float minP, float repetitionPenalty,
                               float presencePenalty, float frequencyPenalty, Long seed, int topLogprobs) {

    public static final SamplingSettings GREEDY = new SamplingSettings(0f, 0, 1f, 0f, 1f, 0f, 0f, null, 0);

    public SamplingSettings {
        require(temperature >= 0 && Float.isFinite(temperature), "temperature", temperature, "must be finite and at least 0");
        require(topK >= 0, "topK", topK, "must be at least 0 (0 keeps every token)");
        require(topP > 0 && topP <= 1, "topP", topP, "must be in (0, 1]");
        require(minP >= 0 && minP <= 1, "minP", minP, "must be in [0, 1]");
        require(repetitionPenalty > 0 && Float.isFinite(repetitionPenalty), "repetitionPenalty", repetitionPenalty, "must be greater than 0");
        require(presencePenalty >= -2 && presencePenalty <= 2, "presencePenalty", presencePenalty, "must be in [-2, 2]");
        require(frequencyPenalty >= -2 && frequencyPenalty <= 2, "frequencyPenalty", frequencyPenalty, "must be in [-2, 2]");
        require(topLogprobs >= 0 && topLogprobs <= 20, "topLogprobs", topLogprobs, "must be in [0, 20]");
    }

    /** Plain sampling at {@code temperature} with a seed, no truncation or penalties. */
    public static SamplingSettings withTemperature(float temperature, Long seed) {
        return new SamplingSettings(temperature, 0, 1f, 0f, 1f, 0f, 0f, seed, 0);
    }

    public SamplingSettings withTopK(int k) {
        return new SamplingSettings(temperature, k, topP, minP, repetitionPenalty, presencePenalty, frequencyPenalty, seed, topLogprobs);
    }

    public SamplingSettings withTopP(float p) {
        return new SamplingSettings(temperature, topK, p, minP, repetitionPenalty, presencePenalty, frequencyPenalty, seed, topLogprobs);
    }

    public SamplingSettings withMinP(float p) {
        return new SamplingSettings(temperature, topK, topP, p, repetitionPenalty, presencePenalty, frequencyPenalty, seed, topLogprobs);
    }

    public SamplingSettings withPenalties(float repetition, float presence, float frequency) {
        return new SamplingSettings(temperature, topK, topP, minP, repetition, presence, frequency, seed, topLogprobs);
    }

    public SamplingSettings withTopLogprobs(int n) {
        return new SamplingSettings(temperature, topK, topP, minP, repetitionPenalty, presencePenalty, frequencyPenalty, seed, n);
    }

    public SamplingSettings withSeed(Long newSeed) {
        return new SamplingSettings(temperature, topK, topP, minP, repetitionPenalty, presencePenalty, frequencyPenalty, newSeed, topLogprobs);
    }

    public boolean greedy() {
        return temperature == 0f;
    }

    private static void require(boolean ok, String field, Object value, String rule) {
        if (!ok) {
            throw new IllegalArgumentException(field + " " + rule + ", got " + value);
        }
    }
}
