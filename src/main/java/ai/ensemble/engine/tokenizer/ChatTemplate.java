package ai.ensemble.engine.tokenizer;

import java.time.LocalDate;
import java.util.List;

/**
 * Renders a conversation into the prompt text a model was trained on, character for character
 * what its official Jinja template gives (we recognise the family instead of running Jinja).
 * Encode the result with {@link Tokenizer#encode}: it carries its own BOS and special tokens.
 */
public sealed interface ChatTemplate permits Llama3ChatTemplate, ChatMlTemplate, InstructChatTemplate {

    String render(List<Message> messages, boolean addGenerationPrompt);

    /** The template family of this tokenizer, from its Jinja template or else its vocabulary. */
    static ChatTemplate forTokenizer(Tokenizer tokenizer) {
        return forTokenizer(tokenizer, LocalDate.now());
    }

    /** @param today the date Llama 3.2's template writes into its system header */
    static ChatTemplate forTokenizer(Tokenizer tokenizer, LocalDate today) {
        return ChatTemplates.detect(tokenizer.chatTemplate().orElse(""), tokenizer, today);
    }

    /** Jinja's {@code trim} and Python's {@code str.strip()}: Unicode whitespace, NBSP included. */
    static String pythonStrip(String text) {
        int start = 0;
        int end = text.length();
        while (start < end && isPythonSpace(text.charAt(start))) {
            start++;
        }
        while (end > start && isPythonSpace(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(start, end);
    }

    private static boolean isPythonSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085';
    }
}
