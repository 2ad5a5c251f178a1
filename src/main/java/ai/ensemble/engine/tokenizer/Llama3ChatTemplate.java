package ai.ensemble.engine.tokenizer;

import java.util.List;

/**
 * Llama 3's header format. {@code dateString} null: Llama 3.0 (every turn as given, BOS before
 * the first). Otherwise Llama 3.1/3.2, whose template always opens with a system turn carrying the
 * knowledge cut-off and this date, the conversation's own system message appended to it.
 */
record Llama3ChatTemplate(String bosToken, String dateString) implements ChatTemplate {

    @Override
    public String render(List<Message> messages, boolean addGenerationPrompt) {
        StringBuilder prompt = new StringBuilder();
        List<Message> turns = messages;
        if (dateString != null) {
            String system = "";
            if (!messages.isEmpty() && messages.getFirst().role().equals("system")) {
                system = ChatTemplate.pythonStrip(messages.getFirst().content());
                turns = messages.subList(1, messages.size());
            }
            prompt.append(bosToken).append("<|start_header_id|>system<|end_header_id|>\n\n")
                    .append("Cutting Knowledge Date: December 2023\nToday Date: ").append(dateString).append("\n\n")
                    .append(system).append("<|eot_id|>");
        } else if (!messages.isEmpty()) {
            prompt.append(bosToken);
        }
        for (Message message : turns) {
            boolean tool = dateString != null && (message.role().equals("tool") || message.role().equals("ipython"));
            prompt.append("<|start_header_id|>").append(tool ? "ipython" : message.role()).append("<|end_header_id|>\n\n")
                    .append(tool ? message.content() : ChatTemplate.pythonStrip(message.content())).append("<|eot_id|>");
        }
        if (addGenerationPrompt) {
            prompt.append("<|start_header_id|>assistant<|end_header_id|>\n\n");
        }
        return prompt.toString();
    }
}
