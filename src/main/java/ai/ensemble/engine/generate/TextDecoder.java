package ai.ensemble.engine.generate;

import ai.ensemble.engine.tokenizer.StreamingDecoder;
import ai.ensemble.engine.tokenizer.Tokenizer;

/**
 * Turns one sequence's generated tokens into text as they come: a token may release no text (a
 * character whose UTF-8 bytes are not all there yet) or more than its own. One per generation.
 */
public interface TextDecoder {

    /** The text that {@code token} completes. */
    String next(int token);

    /** Whatever is still held back, at the end of the sequence (incomplete bytes as U+FFFD). */
    String flush();

    /** The tokenizer's streaming decoder. */
    static TextDecoder streaming(Tokenizer tokenizer) {
        StreamingDecoder decoder = new StreamingDecoder(tokenizer);
        return new TextDecoder() {
            @Override
            public String next(int token) {
                return decoder.accept(token);
            }

            @Override
            public String flush() {
                return decoder.flush();
            }
        };
    }
}
