package ai.ensemble.engine.tokenizer;

import java.util.List;

/**
 * ChatML ({@code <|im_start|>role\ncontent<|im_end|>\n}), as Qwen's templates write it.
 *
 * @param defaultSystemPrompt written as the system turn when the conversation has none (Qwen 2/2.5), or null
 * @param separatesThinking   Qwen 3: earlier assistant turns lose their {@code <think>} part; an
 *                            assistant turn after the last user turn keeps it in a normalised form
 * @param groupsToolResponses tool results go into a user turn as {@code <tool_response>} blocks
 */
record ChatMlTemplate(String defaultSystemPrompt, boolean separatesThinking, boolean groupsToolResponses)
        implements ChatTemplate {

    @Override
    public String render(List<Message> messages, boolean addGenerationPrompt) {
        StringBuilder prompt = new StringBuilder();
        if (defaultSystemPrompt != null && (messages.isEmpty() || !messages.getFirst().role().equals("system"))) {
            turn(prompt, "system", defaultSystemPrompt);
        }
        int lastQuery = lastUserQuery(messages);
        for (int i = 0; i < messages.size(); i++) {
            Message message = messages.get(i);
            if (groupsToolResponses && message.role().equals("tool")) {
                if (i == 0 || !messages.get(i - 1).role().equals("tool")) {
                    prompt.append("<|im_start|>user");
                }
                prompt.append("\n<tool_response>\n").append(message.content()).append("\n</tool_response>");
                if (i == messages.size() - 1 || !messages.get(i + 1).role().equals("tool")) {
                    prompt.append("<|im_end|>\n");
                }
            } else if (separatesThinking && message.role().equals("assistant")) {
                assistantWithThinking(prompt, message.content(), i > lastQuery, i == messages.size() - 1);
            } else {
                turn(prompt, message.role(), message.content());
            }
        }
        if (addGenerationPrompt) {
            prompt.append("<|im_start|>assistant\n");
        }
        return prompt.toString();
    }

    private static void turn(StringBuilder prompt, String role, String content) {
        prompt.append("<|im_start|>").append(role).append('\n').append(content).append("<|im_end|>\n");
    }

    private static void assistantWithThinking(StringBuilder prompt, String content, boolean afterLastQuery, boolean last) {
        String reasoning = "";
        int close = content.indexOf("</think>");
        if (close >= 0) {
            String before = stripTrailingNewlines(content.substring(0, close));
            int open = before.lastIndexOf("<think>");
            reasoning = stripLeadingNewlines(open >= 0 ? before.substring(open + "<think>".length()) : before);
            content = stripLeadingNewlines(content.substring(content.lastIndexOf("</think>") + "</think>".length()));
        }
        prompt.append("<|im_start|>assistant\n");
        if (afterLastQuery && (last || !reasoning.isEmpty())) {
            prompt.append("<think>\n").append(stripLeadingNewlines(stripTrailingNewlines(reasoning))).append("\n</think>\n\n")
                    .append(stripLeadingNewlines(content));
        } else {
            prompt.append(content);
        }
        prompt.append("<|im_end|>\n");
    }

    /** Qwen 3: the index of the last user turn that is not a wrapped tool response. */
    private static int lastUserQuery(List<Message> messages) {
        for (int i = messages.size() - 1; i >= 0; i--) {
            Message message = messages.get(i);
            String content = message.content();
            if (message.role().equals("user")
                    && !(content.startsWith("<tool_response>") && content.endsWith("</tool_response>"))) {
                return i;
            }
        }
        return messages.size() - 1;
    }

    private static String stripLeadingNewlines(String text) {
        int start = 0;
        while (start < text.length() && text.charAt(start) == '\n') {
            start++;
        }
        return text.substring(start);
    }

    private static String stripTrailingNewlines(String text) {
        int end = text.length();
        while (end > 0 && text.charAt(end - 1) == '\n') {
            end--;
        }
        return text.substring(0, end);
    }
}
