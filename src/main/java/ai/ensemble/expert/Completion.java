package ai.ensemble.expert;

/**
 * A finished answer. {@code finishReason} uses OpenAI's values ({@code stop}, {@code length},
 * {@code content_filter}, ...); {@code usage} holds the expert's own token counts.
 */
public record Completion(String text, String finishReason, Usage usage) {

    public record Usage(int promptTokens, int completionTokens) {
        public int totalTokens() {
            return promptTokens + completionTokens;
        }
    }
}
