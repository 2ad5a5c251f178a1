package ai.ensemble.policy.internal;

import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code ensemble.guardrail.*}: the policies to seed at start (each as the admin API takes it,
 * {@code id} included), and {@code injectionExamples}, a JSONL file of the deployment's own labelled
 * prompts ({@code {"text": ..., "label": 0|1}}) the prompt-injection classifier is trained on besides
 * the examples that ship with Ensemble (null: those alone).
 */
@ConfigurationProperties("ensemble.guardrail")
public record GuardrailSettings(List<PolicyStore.PolicyRequest> policies, java.nio.file.Path injectionExamples) {

    public GuardrailSettings {
        policies = policies == null ? List.of() : List.copyOf(policies);
    }
}
