package ai.ensemble.engine.demo;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The demo model's vocabulary, written as GGUF tokenizer metadata so that the engine's own
 * tokenizer reads it like any model's: byte-level BPE (GPT-2's byte alphabet) with no merges, so
 * ids 0-255 are exactly the UTF-8 bytes of the text, then Llama 3's special tokens.
 */
public final class DemoVocabulary {

    public static final int BEGIN_OF_TEXT = 256;
    public static final int END_OF_TEXT = 257;
    public static final int START_HEADER = 258;
    public static final int END_HEADER = 259;
    public static final int END_OF_TURN = 260;
    /** 261 tokens, rounded up to a multiple of 8 with reserved ids. */
    public static final int SIZE = 264;

    private static final List<String> SPECIAL = List.of("<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>",
            "<|end_header_id|>", "<|eot_id|>", "<|reserved_special_token_0|>", "<|reserved_special_token_1|>",
            "<|reserved_special_token_2|>");

    private static final int NORMAL = 1;
    private static final int CONTROL = 3;

    private DemoVocabulary() {
    }

    /** {@code tokenizer.ggml.*} keys as a GGUF file of a Llama 3 model would carry them. */
    public static Map<String, Object> ggufMetadata() {
        List<String> tokens = new ArrayList<>(byteAlphabet());
        tokens.addAll(SPECIAL);
        List<Long> types = new ArrayList<>();
        for (int id = 0; id < tokens.size(); id++) {
            types.add((long) (id < 256 ? NORMAL : CONTROL));
        }
        Map<String, Object> metadata = new HashMap<>();
        metadata.put("general.architecture", "llama");
        metadata.put("general.name", DemoModel.NAME);
        metadata.put("tokenizer.ggml.model", "gpt2");
        metadata.put("tokenizer.ggml.pre", "llama-bpe");
        metadata.put("tokenizer.ggml.tokens", tokens);
        metadata.put("tokenizer.ggml.token_type", types);
        metadata.put("tokenizer.ggml.merges", List.of());
        metadata.put("tokenizer.ggml.bos_token_id", (long) BEGIN_OF_TEXT);
        metadata.put("tokenizer.ggml.eos_token_id", (long) END_OF_TEXT);
        metadata.put("tokenizer.ggml.add_bos_token", true);
        return metadata;
    }

    /**
     * GPT-2's {@code bytes_to_unicode}: printable Latin-1 bytes stand for themselves, the others for
     * the code points from 256 up, in byte order; entry b is byte b's token.
     */
    static List<String> byteAlphabet() {
        List<String> alphabet = new ArrayList<>(256);
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            alphabet.add(Character.toString(printable ? b : next++));
        }
        return alphabet;
    }
}
