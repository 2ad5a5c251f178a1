package ai.ensemble.engine.sampling;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Chooses tokens for one sequence by {@link SamplingSettings}. It remembers the prompt and the
 * tokens it chose, for the penalties, and owns the seeded generator: one sampler per sequence.
 * Order: penalties on the raw logits; log-probabilities; then greedy, or temperature → top-k →
 * softmax → top-p → min-p → a draw (the order of Hugging Face's logits processors).
 */
public final class Sampler {

    private final SamplingSettings settings;
    private final SplittableRandom random;
    private final int vocabSize;
    private final int[] outputCounts;      // (vocab) times each token was chosen
    private final boolean[] seen;          // (vocab) in the prompt or chosen, for the repetition penalty

    public Sampler(SamplingSettings settings, int vocabSize) {
        this.settings = settings;
        this.vocabSize = vocabSize;
        this.random = new SplittableRandom(settings.seed() != null ? settings.seed() : System.nanoTime());
        this.outputCounts = new int[vocabSize];
        this.seen = new boolean[vocabSize];
    }

    public SamplingSettings settings() {
        return settings;
    }

    /** Records the prompt, whose tokens the repetition penalty also covers. */
    public void observePrompt(int[] prompt) {
        for (int token : prompt) {
            if (token >= 0 && token < vocabSize) {
                seen[token] = true;
            }
        }
    }

    /** Chooses the next token from {@code logits} (vocab; not modified) and records it. */
    public SampledToken sample(float[] logits) {
        if (logits.length != vocabSize) {
            throw new IllegalArgumentException("logits have " + logits.length + " entries, the vocabulary " + vocabSize);
        }
        float[] penalised = applyPenalties(logits);
        int token = settings.greedy() ? argmax(penalised) : draw(penalised);
        double logSumExp = logSumExp(penalised);
        List<TokenLogprob> top = new ArrayList<>();
        if (settings.topLogprobs() > 0) {
            for (int index : TopK.largest(penalised, settings.topLogprobs())) {
                top.add(new TokenLogprob(index, (float) (penalised[index] - logSumExp)));
            }
        }
        outputCounts[token]++;
        seen[token] = true;
        return new SampledToken(token, (float) (penalised[token] - logSumExp), top);
    }

    float[] applyPenalties(float[] logits) {
        float[] out = logits.clone();
        float repetition = settings.repetitionPenalty();
        float presence = settings.presencePenalty();
        float frequency = settings.frequencyPenalty();
        for (int i = 0; i < vocabSize; i++) {
            if (repetition != 1f && seen[i]) {
                out[i] = out[i] > 0 ? out[i] / repetition : out[i] * repetition;
            }
            if (outputCounts[i] > 0) {
                out[i] -= presence + frequency * outputCounts[i];
            }
        }
        return out;
    }

    private int draw(float[] logits) {
        float inverseTemperature = 1f / settings.temperature();
        float[] scaled = new float[vocabSize];
        for (int i = 0; i < vocabSize; i++) {
            scaled[i] = logits[i] * inverseTemperature;
        }
        int[] candidates; // token ids, most likely first once sorted
        boolean sorted;
        if (settings.topK() > 0 && settings.topK() < vocabSize) {
            candidates = TopK.largest(scaled, settings.topK());
            sorted = true;
        } else {
            candidates = new int[vocabSize];
            for (int i = 0; i < vocabSize; i++) {
                candidates[i] = i;
            }
            sorted = false;
        }
        float[] probabilities = softmax(scaled, candidates); // (vocab), 0 outside the candidates
        int count = candidates.length;
        if (settings.topP() < 1f) {
            if (!sorted) {
                int[] likely = likelyEnoughForTopP(probabilities);
                candidates = TopK.sortDescending(probabilities, likely.length > 0 ? likely : candidates);
                count = candidates.length;
            }
            count = nucleusSize(probabilities, candidates, count, settings.topP());
        }
        if (settings.minP() > 0f) {
            float max = 0f;
            for (int i = 0; i < count; i++) {
                max = Math.max(max, probabilities[candidates[i]]);
            }
            float threshold = settings.minP() * max;
            int kept = 0;
            for (int i = 0; i < count; i++) {
                if (probabilities[candidates[i]] >= threshold) {
                    candidates[kept++] = candidates[i];
                }
            }
            count = kept;
        }
        double mass = 0;
        for (int i = 0; i < count; i++) {
            mass += probabilities[candidates[i]];
        }
        double target = random.nextDouble() * mass;
        double cumulative = 0;
        for (int i = 0; i < count; i++) {
            cumulative += probabilities[candidates[i]];
            if (target < cumulative) {
                return candidates[i];
            }
        }
        return candidates[count - 1];
    }

    /** The smallest prefix of the candidates (most likely first) whose probability is at least p. */
    static int nucleusSize(float[] probabilities, int[] candidates, int count, float p) {
        double cumulative = 0;
        for (int i = 0; i < count; i++) {
            cumulative += probabilities[candidates[i]];
            if (cumulative >= p) {
                return i + 1;
            }
        }
        return count;
    }

    /**
     * Tokens that can be in a nucleus of mass topP: one below (1 - topP) / (n - 1) cannot, since all
     * such tokens together hold less than 1 - topP. Skipping them saves sorting most of a large vocabulary.
     */
    private int[] likelyEnoughForTopP(float[] probabilities) {
        float cutoff = vocabSize > 1 ? (1f - settings.topP()) / (vocabSize - 1) : 0f;
        int n = 0;
        int[] indices = new int[vocabSize];
        for (int i = 0; i < vocabSize; i++) {
            if (probabilities[i] >= cutoff) {
                indices[n++] = i;
            }
        }
        return java.util.Arrays.copyOf(indices, n);
    }

    private float[] softmax(float[] scaled, int[] candidates) {
        float max = Float.NEGATIVE_INFINITY;
        for (int index : candidates) {
            max = Math.max(max, scaled[index]);
        }
        float[] probabilities = new float[vocabSize];
        double sum = 0;
        for (int index : candidates) {
            double e = Math.exp(scaled[index] - max);
            probabilities[index] = (float) e;
            sum += e;
        }
        for (int index : candidates) {
            probabilities[index] = (float) (probabilities[index] / sum);
        }
        return probabilities;
    }

    /** The index of the largest logit; the lowest such index on ties, as torch.argmax. */
    public static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    private static double logSumExp(float[] logits) {
        float max = Float.NEGATIVE_INFINITY;
        for (float logit : logits) {
            max = Math.max(max, logit);
        }
        double sum = 0;
        for (float logit : logits) {
            sum += Math.exp(logit - max);
        }
        return max + Math.log(sum);
    }
}
