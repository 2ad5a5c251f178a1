package ai.ensemble.engine.tokenizer;

import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Text to token ids and back, exactly as Hugging Face {@code tokenizers} does for the same
 * tokenizer. Added and special tokens written in the text ({@code <|eot_id|>}, {@code <s>}) are
 * always recognised as single tokens; only {@link #encodeWithSpecial} adds BOS/EOS. Thread-safe.
 */
public interface Tokenizer {

    /** The ids of {@code text} without BOS/EOS (Hugging Face {@code add_special_tokens=False}). */
    int[] encode(String text);

    /** The ids of {@code text} with what the tokenizer adds around a single sequence (BOS for Llama 2). */
    int[] encodeWithSpecial(String text);

    /** The text of {@code ids}, special tokens included (Hugging Face {@code skip_special_tokens=False}). */
    String decode(int[] ids);

    /**
     * The bytes one token stands for when it appears inside a text: GPT-2-alphabet tokens as their
     * bytes, {@code <0xNN>} as one byte, {@code ▁} as a space, added tokens as their UTF-8. A token
     * may hold part of a character; {@link StreamingDecoder} joins such parts.
     */
    byte[] tokenBytes(int id);

    /** {@link #tokenBytes} as text; a partial character shows as U+FFFD, so stream with {@link StreamingDecoder}. */
    default String decodeToken(int id) {
        return new String(tokenBytes(id), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** One more than the largest id, added tokens included. */
    int vocabularySize();

    /** The id of a vocabulary or added token written as stored ({@code "Ġthe"}, {@code "<|eot_id|>"}). */
    OptionalInt tokenId(String token);

    /** The token with this id as stored in the vocabulary, or empty when no token has it. */
    Optional<String> tokenText(int id);

    OptionalInt bosTokenId();

    /** The tokens that end generation: the declared EOS and the end-of-turn markers the vocabulary has. */
    Set<Integer> eosTokenIds();

    /** The Jinja chat template shipped with the tokenizer, if any (used only to recognise its family). */
    Optional<String> chatTemplate();
}
