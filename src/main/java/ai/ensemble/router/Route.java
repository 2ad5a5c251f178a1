package ai.ensemble.router;

import java.util.ArrayList;
import java.util.List;

import ai.ensemble.expert.ChatMessage;
import ai.ensemble.expert.Expert;
import ai.ensemble.expert.ExpertRequest;

/**
 * Where one request goes: the expert, its system prompt, and the decision that chose it.
 * {@code alternatives} are the other experts the caller may use, best first, for a retry when
 * the chosen one fails before answering (only when the router chose).
 */
public record Route(Expert expert, String systemPrompt, RoutingDecision decision, List<String> alternatives) {

    public Route {
        alternatives = List.copyOf(alternatives);
    }

    public String expertId() {
        return expert.info().id();
    }

    /** The request as this expert receives it: its system prompt first, when it has one. */
    public ExpertRequest request(ExpertRequest original) {
        if (systemPrompt == null || systemPrompt.isBlank()) {
            return original;
        }
        List<ChatMessage> messages = new ArrayList<>(original.messages().size() + 1);
        messages.add(new ChatMessage("system", systemPrompt));
        messages.addAll(original.messages());
        return new ExpertRequest(messages, original.temperature(), original.topP(), original.maxTokens(), original.stop(),
                original.seed(), original.presencePenalty(), original.frequencyPenalty(), original.user());
    }
}
