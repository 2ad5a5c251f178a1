package ai.ensemble.engine.tokenizer;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Recognises a chat template's family from marks in its Jinja source, or from the vocabulary. */
final class ChatTemplates {

    private ChatTemplates() {
    }

    /**
     * @param source the Jinja template, or "" when there is none
     * @param today  the date Llama 3.2's template writes into its system header
     */
    static ChatTemplate detect(String source, Tokenizer tokenizer, LocalDate today) {
        if (source.contains("<|start_header_id|>")) {
            String date = !source.contains("Cutting Knowledge Date") ? null
                    : source.contains("strftime_now") ? today.format(DateTimeFormatter.ofPattern("dd MMM yyyy", Locale.ENGLISH))
                    : "26 Jul 2024";
            return new Llama3ChatTemplate(bosText(tokenizer, "<|begin_of_text|>"), date);
        }
        if (source.contains("<|im_start|>")) {
            return new ChatMlTemplate(defaultSystemPrompt(source), source.contains("reasoning_content"),
                    source.contains("<tool_response>"));
        }
        if (source.contains("<<SYS>>")) {
            return new InstructChatTemplate(InstructChatTemplate.Style.LLAMA2, bosText(tokenizer, "<s>"), "</s>");
        }
        if (source.contains("[INST]")) {
            return new InstructChatTemplate(InstructChatTemplate.Style.MISTRAL, bosText(tokenizer, "<s>"), "</s>");
        }
        // No template we recognise: go by the markers the vocabulary has.
        if (tokenizer.tokenId("<|start_header_id|>").isPresent()) {
            return new Llama3ChatTemplate(bosText(tokenizer, "<|begin_of_text|>"), null);
        }
        if (tokenizer.tokenId("<|im_start|>").isPresent()) {
            return new ChatMlTemplate(null, false, false);
        }
        if (tokenizer.tokenId("</s>").isPresent()) {
            return new InstructChatTemplate(InstructChatTemplate.Style.MISTRAL, bosText(tokenizer, "<s>"), "</s>");
        }
        throw new IllegalArgumentException("cannot tell the chat format: the tokenizer's chat template and vocabulary have"
                + " none of <|start_header_id|> (Llama 3), <|im_start|> (ChatML) or [INST]/</s> (Mistral, Llama 2)");
    }

    /** The BOS text: the tokenizer's declared BOS, else the family's usual one. */
    private static String bosText(Tokenizer tokenizer, String usual) {
        return tokenizer.bosTokenId().stream().mapToObj(tokenizer::tokenText).flatMap(java.util.Optional::stream)
                .findFirst().orElse(usual);
    }

    /** Qwen 2/2.5 templates write a literal system turn when the conversation has none. */
    private static String defaultSystemPrompt(String source) {
        Matcher matcher = Pattern.compile("<\\|im_start\\|>system\\\\n([^'\"+{}\\\\]+)<\\|im_end\\|>").matcher(source);
        return matcher.find() ? matcher.group(1) : null;
    }

}
