package ai.ensemble.engine.tokenizer;

/**
 * A token matched in the text before normalization and pre-tokenization (Hugging Face's
 * {@code added_tokens}; GGUF control and user-defined tokens). {@code normalized} tokens are
 * matched in the normalized text instead; {@code leftStrip}/{@code rightStrip} swallow the
 * whitespace beside them; {@code singleWord} ones match only between non-word characters.
 */
record AddedToken(int id, String content, boolean special, boolean normalized, boolean leftStrip, boolean rightStrip,
                  boolean singleWord) {

    static AddedToken special(int id, String content) {
        return new AddedToken(id, content, true, false, false, false, false);
    }
}
