package ai.ensemble.expert;

import java.time.Duration;

import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * One {@code ensemble.experts[...]} entry. {@code type} is {@code upstream} (any OpenAI-compatible
 * server at {@code baseUrl}, e.g. vLLM, Ollama, a cloud API; {@code model} is the upstream's model
 * name), {@code engine} (Ensemble's own engine in this process; {@code model} is a model folder, a
 * .gguf file or {@code demo}) or {@code echo} (development only).
 */
public record ExpertDefinition(
        String id,
        String displayName,
        @DefaultValue("") String description,
        @DefaultValue("upstream") String type,
        String baseUrl,
        String apiKey,
        String model,
        @DefaultValue("5s") Duration connectTimeout,
        @DefaultValue("60s") Duration firstTokenTimeout,
        @DefaultValue("300s") Duration requestTimeout,
        @DefaultValue("2") int maxRetries,
        @DefaultValue("8192") int contextLength) {
}
