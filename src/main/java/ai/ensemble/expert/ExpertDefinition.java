package ai.ensemble.expert;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.bind.ConstructorBinding;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * One {@code ensemble.experts[...]} entry. {@code type} is {@code upstream} (any OpenAI-compatible
 * server at {@code baseUrl}, e.g. vLLM, Ollama, a cloud API; {@code model} is the upstream's model
 * name), {@code engine} (Ensemble's own engine in this process; {@code model} is a model folder, a
 * .gguf file or {@code demo}), {@code worker} (Ensemble inference workers running the engine elsewhere;
 * {@code baseUrl} lists them, comma-separated, e.g. {@code http://worker-0:8080,http://worker-1:8080})
 * or {@code echo} (development only).
 *
 * <p>The router's fields: {@code systemPrompt} is put before the caller's messages;
 * {@code dataClassification} is the most sensitive data the expert may receive ({@code public},
 * {@code internal}, {@code confidential}; by default {@code confidential} on premises and
 * {@code internal} elsewhere); {@code onPremises} defaults to true for the engine, worker and echo experts;
 * {@code allowedRoles}, when not empty, restricts the expert to callers holding one of those roles
 * on top of the permission {@code expert:<id>}; {@code examples} are utterances the router learns
 * this expert from.
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
        @DefaultValue("8192") int contextLength,
        @DefaultValue("") String systemPrompt,
        @DefaultValue("true") boolean streaming,
        @DefaultValue("1") double costWeight,
        String dataClassification,
        Boolean onPremises,
        @DefaultValue("true") boolean enabled,
        @DefaultValue List<String> allowedRoles,
        @DefaultValue List<String> examples) {

    @ConstructorBinding
    public ExpertDefinition {
        description = description == null ? "" : description;
        systemPrompt = systemPrompt == null ? "" : systemPrompt;
        allowedRoles = allowedRoles == null ? List.of() : List.copyOf(allowedRoles);
        examples = examples == null ? List.of() : List.copyOf(examples);
    }

    /** An expert with the router's settings at their defaults. */
    public ExpertDefinition(String id, String displayName, String description, String type, String baseUrl, String apiKey,
                            String model, Duration connectTimeout, Duration firstTokenTimeout, Duration requestTimeout,
                            int maxRetries, int contextLength) {
        this(id, displayName, description, type, baseUrl, apiKey, model, connectTimeout, firstTokenTimeout, requestTimeout,
                maxRetries, contextLength, "", true, 1, null, null, true, List.of(), List.of());
    }

    /** Whether the expert runs on the company's own machines: as configured, else true for engine, worker and echo. */
    public boolean runsOnPremises() {
        return onPremises != null ? onPremises : !"upstream".equals(type);
    }

    /** The configured classification, else {@code confidential} on premises and {@code internal} elsewhere. */
    public String effectiveDataClassification() {
        if (dataClassification != null && !dataClassification.isBlank()) {
            return dataClassification;
        }
        return runsOnPremises() ? "confidential" : "internal";
    }
}
