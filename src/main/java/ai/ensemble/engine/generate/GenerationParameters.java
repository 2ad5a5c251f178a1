package ai.ensemble.engine.generate;

import java.util.List;
import java.util.Set;

import ai.ensemble.engine.sampling.SamplingSettings;

/**
 * What to generate.
 *
 * @param maxTokens   at most this many tokens (fewer when the context fills up first)
 * @param stopTokens  token ids that end generation, besides every end-of-sequence token of the model
 * @param stopStrings texts that end generation when the decoded output contains them; the output
 *                    ends just before the first
 * @param sampling    how each token is chosen
 */
public record GenerationParameters(int maxTokens, Set<Integer> stopTokens, List<String> stopStrings, SamplingSettings sampling) {

    public GenerationParameters {
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be at least 1, got " + maxTokens);
        }
        stopTokens = Set.copyOf(stopTokens);
        stopStrings = List.copyOf(stopStrings);
        for (String stop : stopStrings) {
            if (stop.isEmpty()) {
                throw new IllegalArgumentException("stopStrings must not contain an empty string");
            }
        }
        if (sampling == null) {
            throw new IllegalArgumentException("sampling must be given (SamplingSettings.GREEDY for argmax)");
        }
    }

    public static GenerationParameters of(int maxTokens, SamplingSettings sampling) {
        return new GenerationParameters(maxTokens, Set.of(), List.of(), sampling);
    }

    public GenerationParameters withStopStrings(List<String> strings) {
        return new GenerationParameters(maxTokens, stopTokens, strings, sampling);
    }

    public GenerationParameters withStopTokens(Set<Integer> tokens) {
        return new GenerationParameters(maxTokens, tokens, stopStrings, sampling);
    }
}
