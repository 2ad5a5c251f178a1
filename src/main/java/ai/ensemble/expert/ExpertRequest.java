package ai.ensemble.expert;

import java.util.List;

/**
 * A validated chat request as an expert sees it. Optional sampling settings are null when the
 * caller left them out, so that an upstream applies its own defaults.
 */
public record ExpertRequest(
        List<ChatMessage> messages,
        Double temperature,
        Double topP,
        Integer maxTokens,
        List<String> stop,
        Long seed,
        Double presencePenalty,
        Double frequencyPenalty,
        String user) {

    public ExpertRequest {
        messages = List.copyOf(messages);
        stop = stop == null ? List.of() : List.copyOf(stop);
    }
}
