package ai.ensemble.router.internal;

import java.time.Duration;
import java.util.List;

import ai.ensemble.expert.ExpertDefinition;

/**
 * An expert as the admin API receives it ({@code POST} and {@code PUT /admin/api/experts}).
 * Fields left out take their defaults, except {@code apiKey}: on update, leaving it out keeps the
 * stored key (it is never shown back).
 */
public record ExpertChange(String id, String displayName, String description, String type, String baseUrl, String apiKey,
                           String model, String systemPrompt, Integer contextLength, Boolean streaming, Double costWeight,
                           String dataClassification, Boolean onPremises, Boolean enabled, List<String> allowedRoles,
                           Long connectTimeoutMs, Long firstTokenTimeoutMs, Long requestTimeoutMs, Integer maxRetries,
                           List<String> examples) {

    ExpertDefinition definition(String id, String storedApiKey) {
        return new ExpertDefinition(id, displayName, description == null ? "" : description, type == null ? "upstream" : type,
                baseUrl == null ? null : baseUrl.strip(), apiKey == null ? storedApiKey : apiKey, model,
                Duration.ofMillis(connectTimeoutMs == null ? 5_000 : connectTimeoutMs),
                Duration.ofMillis(firstTokenTimeoutMs == null ? 60_000 : firstTokenTimeoutMs),
                Duration.ofMillis(requestTimeoutMs == null ? 300_000 : requestTimeoutMs),
                maxRetries == null ? 2 : maxRetries, contextLength == null ? 8192 : contextLength,
                systemPrompt == null ? "" : systemPrompt, streaming == null || streaming, costWeight == null ? 1 : costWeight,
                dataClassification, onPremises, enabled == null || enabled, allowedRoles == null ? List.of() : allowedRoles,
                examples == null ? List.of() : examples);
    }
}
