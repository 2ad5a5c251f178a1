package ai.ensemble.expert;

/** One message of a conversation: role ({@code system}, {@code user}, {@code assistant}, ...) and text. */
public record ChatMessage(String role, String content) {
}
