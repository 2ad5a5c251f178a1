package ai.ensemble.engine.cpu;

import ai.ensemble.engine.model.ModelConfig;

/**
 * One step of a Llama-family transformer: tokens in, next-token logits out. One implementation
 * per backend ({@code cpu} here, {@code cuda} with the GPU). An instance may serve several
 * sequences at once as long as each has its own {@link KvCache}; one cache must not be used by two
 * calls at the same time.
 */
public interface Forward {

    ModelConfig config();

    /** {@code cpu} or {@code cuda}. */
    String backend();

    /** An empty cache for one sequence of up to {@code capacity} positions. */
    KvCache newCache(int capacity);

    /** Logits (vocab) for the token after {@code token}, which sits at {@code position}. */
    default float[] forward(int token, int position, KvCache cache) {
        return prefill(new int[] {token}, position, cache);
    }

    /**
     * Runs {@code tokens} at positions startPosition, startPosition + 1, ... through the model in one
     * batch, filling the cache, and returns the logits (vocab) after the last one.
     */
    default float[] prefill(int[] tokens, int startPosition, KvCache cache) {
        return logitsAt(tokens, startPosition, cache, new int[] {tokens.length - 1})[0];
    }

    /**
     * As {@link #prefill} but returns the logits after each token whose index in {@code tokens} is
     * listed in {@code rows}: (rows.length, vocab).
     */
    float[][] logitsAt(int[] tokens, int startPosition, KvCache cache, int[] rows);

    /** The argument checks every backend makes before a call; throws naming the bad argument. */
    static void checkArguments(ModelConfig config, int[] tokens, int startPosition, KvCache cache, int[] rows) {
        if (tokens.length == 0) {
            throw new IllegalArgumentException("tokens must not be empty");
        }
        if (startPosition < 0 || startPosition + tokens.length > cache.capacity()) {
            throw new IllegalArgumentException("positions [" + startPosition + ", " + (startPosition + tokens.length)
                    + ") do not fit a KV cache of " + cache.capacity() + " positions");
        }
        for (int token : tokens) {
            if (token < 0 || token >= config.vocabSize()) {
                throw new IllegalArgumentException("token id " + token + " is outside the vocabulary [0, " + config.vocabSize() + ")");
            }
        }
        for (int row : rows) {
            if (row < 0 || row >= tokens.length) {
                throw new IllegalArgumentException("logits row " + row + " is outside the " + tokens.length + " tokens");
            }
        }
    }
}
