package ai.ensemble.router.internal;

import java.time.Instant;
import java.util.List;

import ai.ensemble.expert.ExpertDefinition;

/** An expert as the admin API shows it: everything but the API key, plus its examples and health. */
public record ExpertView(String id, String displayName, String description, String type, String baseUrl, boolean apiKeySet,
                         String model, String systemPrompt, int contextLength, boolean streaming, double costWeight,
                         String dataClassification, boolean onPremises, boolean enabled, List<String> allowedRoles,
                         long connectTimeoutMs, long firstTokenTimeoutMs, long requestTimeoutMs, int maxRetries,
                         String source, int examples, boolean serving, ExpertHealth.Status health,
                         Instant createdAt, Instant updatedAt) {

    static ExpertView of(ExpertStore.StoredExpert stored, int examples, boolean serving, ExpertHealth.Status health) {
        ExpertDefinition d = stored.definition();
        return new ExpertView(d.id(), d.displayName(), d.description(), d.type(), d.baseUrl(),
                d.apiKey() != null && !d.apiKey().isBlank(), d.model(), d.systemPrompt(), d.contextLength(), d.streaming(),
                d.costWeight(), d.effectiveDataClassification(), d.runsOnPremises(), d.enabled(), d.allowedRoles(),
                d.connectTimeout().toMillis(), d.firstTokenTimeout().toMillis(), d.requestTimeout().toMillis(), d.maxRetries(),
                stored.source(), examples, serving, health, stored.createdAt(), stored.updatedAt());
    }
}
