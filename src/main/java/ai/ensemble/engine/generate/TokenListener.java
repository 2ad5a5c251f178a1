package ai.ensemble.engine.generate;

import ai.ensemble.engine.sampling.SampledToken;

/** Receives each generated token as it is chosen, with the text it releases. */
@FunctionalInterface
public interface TokenListener {

    /** The token id of a last call that only releases text held back until the end. */
    int NO_TOKEN = -1;

    /**
     * A generated token (its id, log-probabilities in {@code sample}) and the text it releases, which
     * is empty while the text might still become a stop string or an incomplete character. Text held
     * back when generation ends comes in one last call with token {@link #NO_TOKEN} and no sample.
     * Stop tokens and stop strings are never passed on.
     */
    void onToken(int token, String text, SampledToken sample);

    TokenListener IGNORE = (token, text, sample) -> { };
}
