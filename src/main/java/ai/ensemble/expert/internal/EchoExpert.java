package ai.ensemble.expert.internal;

import ai.ensemble.expert.Cancellation;
import ai.ensemble.expert.ChatMessage;
import ai.ensemble.expert.Completion;
import ai.ensemble.expert.DeltaSink;
import ai.ensemble.expert.Expert;
import ai.ensemble.expert.ExpertDefinition;
import ai.ensemble.expert.ExpertException;
import ai.ensemble.expert.ExpertInfo;
import ai.ensemble.expert.ExpertRequest;

/**
 * Development-only expert: answers with the last user message, word by word, so that the
 * embedded quick start streams real SSE without any model. Token counts are whitespace-separated
 * words, not a tokenizer's, and say so nowhere else: never configure it in production.
 */
final class EchoExpert implements Expert {

    private final ExpertInfo info;

    EchoExpert(ExpertDefinition definition) {
        this.info = new ExpertInfo(definition.id(), displayName(definition), definition.description(), "ensemble-dev",
                true, definition.contextLength());
    }

    private static String displayName(ExpertDefinition definition) {
        return definition.displayName() == null ? definition.id() : definition.displayName();
    }

    @Override
    public ExpertInfo info() {
        return info;
    }

    @Override
    public Completion generate(ExpertRequest request, DeltaSink sink, Cancellation cancellation) {
        String prompt = request.messages().reversed().stream()
                .filter(m -> m.role().equals("user"))
                .map(ChatMessage::content)
                .findFirst().orElse("");
        String[] words = prompt.isBlank() ? new String[0] : prompt.strip().split("\\s+");
        int limit = request.maxTokens() == null ? words.length : Math.min(words.length, request.maxTokens());
        StringBuilder answer = new StringBuilder();
        for (int i = 0; i < limit; i++) {
            if (cancellation.isCancelled()) {
                throw new ExpertException(ExpertException.Kind.CANCELLED, "cancelled", i == 0, null);
            }
            String piece = i == 0 ? words[i] : " " + words[i];
            answer.append(piece);
            sink.delta(piece);
        }
        int promptWords = request.messages().stream()
                .mapToInt(m -> m.content().isBlank() ? 0 : m.content().strip().split("\\s+").length)
                .sum();
        return new Completion(answer.toString(), limit < words.length ? "length" : "stop",
                new Completion.Usage(promptWords, limit));
    }
}
