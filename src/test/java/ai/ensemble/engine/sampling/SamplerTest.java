package ai.ensemble.engine.sampling;

import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

class SamplerTest {

    /** Probabilities 0.5, 0.3, 0.15, 0.05 at temperature 1. */
    private static final float[] FOUR = logitsOf(0.5, 0.3, 0.15, 0.05);

    @Test
    void greedyTakesTheLargestLogitAndTheLowestIdOnTies() {
        Sampler sampler = new Sampler(SamplingSettings.GREEDY, 4);
        assertThat(sampler.sample(new float[] {0.1f, 3f, -2f, 2.9f}).token()).isEqualTo(1);
        assertThat(new Sampler(SamplingSettings.GREEDY, 3).sample(new float[] {1f, 5f, 5f}).token()).isEqualTo(1);
    }

    @Test
    void sameSeedGivesTheSameTokensAndAnotherSeedOthers() {
        float[] flat = new float[50];
        int[] first = draw(SamplingSettings.withTemperature(1f, 42L), flat, 40);
        int[] again = draw(SamplingSettings.withTemperature(1f, 42L), flat, 40);
        int[] other = draw(SamplingSettings.withTemperature(1f, 43L), flat, 40);
        assertThat(again).isEqualTo(first);
        assertThat(other).isNotEqualTo(first);
    }

    @Test
    void temperatureOneDrawsInProportionToTheSoftmax() {
        Map<Integer, Double> frequencies = frequencies(SamplingSettings.withTemperature(1f, 1L), FOUR, 40_000);
        assertThat(frequencies.get(0)).isCloseTo(0.5, offset(0.015));
        assertThat(frequencies.get(1)).isCloseTo(0.3, offset(0.015));
        assertThat(frequencies.get(2)).isCloseTo(0.15, offset(0.015));
        assertThat(frequencies.get(3)).isCloseTo(0.05, offset(0.01));
    }

    @Test
    void temperatureDividesTheLogits() {
        // At T = 2 the probabilities are ∝ sqrt(p): 0.7071, 0.5477, 0.3873, 0.2236 → normalised below.
        Map<Integer, Double> frequencies = frequencies(SamplingSettings.withTemperature(2f, 2L), FOUR, 40_000);
        double total = Math.sqrt(0.5) + Math.sqrt(0.3) + Math.sqrt(0.15) + Math.sqrt(0.05);
        assertThat(frequencies.get(0)).isCloseTo(Math.sqrt(0.5) / total, offset(0.015));
        assertThat(frequencies.get(3)).isCloseTo(Math.sqrt(0.05) / total, offset(0.01));
    }

    @Test
    void topKKeepsOnlyTheKMostLikely() {
        Map<Integer, Double> frequencies = frequencies(SamplingSettings.withTemperature(1f, 3L).withTopK(2), FOUR, 20_000);
        assertThat(frequencies.keySet()).containsExactly(0, 1);
        assertThat(frequencies.get(0)).isCloseTo(0.5 / 0.8, offset(0.015)); // renormalised over the two
    }

    @Test
    void topPKeepsTheSmallestSetWhoseMassReachesP() {
        // Cumulative mass, most likely first: 0.5, 0.8, 0.95, 1.0.
        assertThat(frequencies(SamplingSettings.withTemperature(1f, 4L).withTopP(0.45f), FOUR, 5_000).keySet()).containsExactly(0);
        assertThat(frequencies(SamplingSettings.withTemperature(1f, 4L).withTopP(0.75f), FOUR, 20_000).keySet()).containsExactly(0, 1);
        assertThat(frequencies(SamplingSettings.withTemperature(1f, 4L).withTopP(0.9f), FOUR, 20_000).keySet()).containsExactly(0, 1, 2);
        assertThat(Sampler.nucleusSize(new float[] {0.5f, 0.3f, 0.15f, 0.05f}, new int[] {0, 1, 2, 3}, 4, 0.8f)).isEqualTo(2);
        assertThat(Sampler.nucleusSize(new float[] {0.5f, 0.3f, 0.15f, 0.05f}, new int[] {0, 1, 2, 3}, 4, 0.81f)).isEqualTo(3);
    }

    @Test
    void topPOverALargeVocabularySkipsTheUnlikelyTail() {
        float[] logits = new float[128_256];
        logits[77] = 20f;
        logits[900] = 19f;
        Map<Integer, Double> frequencies = frequencies(SamplingSettings.withTemperature(1f, 5L).withTopP(0.9f), logits, 300);
        assertThat(frequencies.keySet()).containsExactly(77, 900);
    }

    @Test
    void minPDropsTokensBelowAFractionOfTheMostLikely() {
        // Threshold = minP × 0.5.
        assertThat(frequencies(SamplingSettings.withTemperature(1f, 6L).withMinP(0.2f), FOUR, 20_000).keySet()).containsExactly(0, 1, 2);
        assertThat(frequencies(SamplingSettings.withTemperature(1f, 6L).withMinP(0.5f), FOUR, 20_000).keySet()).containsExactly(0, 1);
        assertThat(frequencies(SamplingSettings.withTemperature(1f, 6L).withMinP(1f), FOUR, 2_000).keySet()).containsExactly(0);
    }

    @Test
    void repetitionPenaltyDividesPositiveAndMultipliesNegativeLogitsOfSeenTokens() {
        SamplingSettings settings = SamplingSettings.GREEDY.withPenalties(1.5f, 0f, 0f);
        Sampler sampler = new Sampler(settings, 4);
        sampler.observePrompt(new int[] {1, 3});
        float[] penalised = sampler.applyPenalties(new float[] {1.5f, 2f, 0.5f, -1f});
        assertThat(penalised).containsExactly(1.5f, 2f / 1.5f, 0.5f, -1.5f);
        assertThat(sampler.sample(new float[] {1.5f, 2f, 0.5f, -1f}).token()).isEqualTo(0);
    }

    @Test
    void presenceAndFrequencyPenaltiesCountChosenTokens() {
        Sampler sampler = new Sampler(SamplingSettings.GREEDY.withPenalties(1f, 0.5f, 0.3f), 3);
        sampler.observePrompt(new int[] {2}); // the prompt does not count for these penalties
        float[] logits = {3f, 2f, 1f};
        assertThat(sampler.sample(logits).token()).isEqualTo(0);
        assertThat(sampler.applyPenalties(logits)).containsExactly(3f - (0.5f + 0.3f), 2f, 1f);
        assertThat(sampler.sample(logits).token()).isEqualTo(0); // 2.2 > 2
        assertThat(sampler.applyPenalties(logits)).containsExactly(3f - (0.5f + 0.3f * 2), 2f, 1f);
        assertThat(sampler.sample(logits).token()).isEqualTo(1); // 1.9 < 2
    }

    @Test
    void reportsTheChosenTokensLogprobAndTheMostLikelyAlternatives() {
        Sampler sampler = new Sampler(SamplingSettings.GREEDY.withTopLogprobs(3), 4);
        SampledToken token = sampler.sample(FOUR);
        assertThat(token.token()).isEqualTo(0);
        assertThat((double) token.logprob()).isCloseTo(Math.log(0.5), offset(1e-6));
        assertThat(token.topLogprobs()).extracting(TokenLogprob::token).containsExactly(0, 1, 2);
        assertThat((double) token.topLogprobs().get(1).logprob()).isCloseTo(Math.log(0.3), offset(1e-6));
        assertThat((double) token.topLogprobs().get(2).logprob()).isCloseTo(Math.log(0.15), offset(1e-6));
    }

    @Test
    void logprobsIgnoreTemperatureAndTruncation() {
        Sampler sampler = new Sampler(SamplingSettings.withTemperature(0.5f, 9L).withTopK(1), 4);
        SampledToken token = sampler.sample(FOUR);
        assertThat(token.token()).isEqualTo(0);
        assertThat((double) token.logprob()).isCloseTo(Math.log(0.5), offset(1e-6));
    }

    @Test
    void rejectsSettingsOutsideTheirRangeNamingTheField() {
        assertThatThrownBy(() -> SamplingSettings.withTemperature(-1f, null)).hasMessage("temperature must be finite and at least 0, got -1.0");
        assertThatThrownBy(() -> SamplingSettings.GREEDY.withTopP(0f)).hasMessage("topP must be in (0, 1], got 0.0");
        assertThatThrownBy(() -> SamplingSettings.GREEDY.withTopK(-1)).hasMessageStartingWith("topK must be at least 0");
        assertThatThrownBy(() -> SamplingSettings.GREEDY.withMinP(1.5f)).hasMessage("minP must be in [0, 1], got 1.5");
        assertThatThrownBy(() -> SamplingSettings.GREEDY.withTopLogprobs(21)).hasMessage("topLogprobs must be in [0, 20], got 21");
        assertThatThrownBy(() -> new Sampler(SamplingSettings.GREEDY, 4).sample(new float[3]))
                .hasMessage("logits have 3 entries, the vocabulary 4");
    }

    @Test
    void topKSelectionMatchesAFullSort() {
        float[] values = new float[1000];
        java.util.SplittableRandom random = new java.util.SplittableRandom(1);
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        values[10] = values[20] = -0f;
        values[30] = 0f;
        int[] all = java.util.stream.IntStream.range(0, values.length).toArray();
        int[] sorted = TopK.sortDescending(values, all);
        assertThat(TopK.largest(values, 25)).containsExactly(java.util.Arrays.copyOf(sorted, 25));
        for (int i = 1; i < sorted.length; i++) {
            assertThat(values[sorted[i - 1]]).isGreaterThanOrEqualTo(values[sorted[i]]);
        }
    }

    private static int[] draw(SamplingSettings settings, float[] logits, int count) {
        Sampler sampler = new Sampler(settings, logits.length);
        int[] tokens = new int[count];
        for (int i = 0; i < count; i++) {
            tokens[i] = sampler.sample(logits).token();
        }
        return tokens;
    }

    private static Map<Integer, Double> frequencies(SamplingSettings settings, float[] logits, int draws) {
        Map<Integer, Double> frequencies = new TreeMap<>();
        for (int token : draw(settings, logits, draws)) {
            frequencies.merge(token, 1.0 / draws, Double::sum);
        }
        return frequencies;
    }

    private static float[] logitsOf(double... probabilities) {
        float[] logits = new float[probabilities.length];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) Math.log(probabilities[i]);
        }
        return logits;
    }
}
