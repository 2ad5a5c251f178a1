package ai.ensemble.engine.tokenizer;

import java.util.List;

/**
 * The {@code [INST] … [/INST]} format: user and assistant turns must alternate after an optional
 * system message, which is folded into the first user turn.
 * <ul>
 *   <li>MISTRAL (Mistral 7B Instruct v0.1/v0.2, Mixtral): {@code <s> [INST] system\n\nuser [/INST] answer</s>};</li>
 *   <li>LLAMA2 (Llama 2 chat): {@code <s>[INST] <<SYS>>\nsystem\n<</SYS>>\n\nuser [/INST] answer </s>}, each
 *   exchange opening with its own BOS and turns stripped of surrounding whitespace.</li>
 * </ul>
 * The prompt for a reply is the conversation itself (it ends with {@code [/INST]}).
 */
record InstructChatTemplate(Style style, String bosToken, String eosToken) implements ChatTemplate {

    enum Style { MISTRAL, LLAMA2 }

    @Override
    public String render(List<Message> messages, boolean addGenerationPrompt) {
        String system = null;
        List<Message> turns = messages;
        if (!messages.isEmpty() && messages.getFirst().role().equals("system")) {
            system = messages.getFirst().content();
            turns = messages.subList(1, messages.size());
        }
        StringBuilder prompt = new StringBuilder();
        if (style == Style.MISTRAL) {
            prompt.append(bosToken);
        }
        for (int i = 0; i < turns.size(); i++) {
            Message message = turns.get(i);
            boolean user = message.role().equals("user");
            if (!user && !message.role().equals("assistant")) {
                throw new IllegalArgumentException("messages[" + (messages.size() - turns.size() + i) + "].role '"
                        + message.role() + "': this chat format supports only user and assistant turns after one system message");
            }
            if (user != (i % 2 == 0)) {
                throw new IllegalArgumentException("messages[" + (messages.size() - turns.size() + i)
                        + "]: after the optional system message, roles must alternate user/assistant/user/...");
            }
            String content = message.content();
            if (style == Style.MISTRAL) {
                if (user) {
                    prompt.append(" [INST] ").append(i == 0 && system != null ? system + "\n\n" + content : content).append(" [/INST]");
                } else {
                    prompt.append(' ').append(content).append(eosToken);
                }
            } else {
                if (i == 0 && system != null) {
                    content = "<<SYS>>\n" + system + "\n<</SYS>>\n\n" + content;
                }
                if (user) {
                    prompt.append(bosToken).append("[INST] ").append(ChatTemplate.pythonStrip(content)).append(" [/INST]");
                } else {
                    prompt.append(' ').append(ChatTemplate.pythonStrip(content)).append(' ').append(eosToken);
                }
            }
        }
        return prompt.toString();
    }
}
