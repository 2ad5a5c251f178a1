package ai.ensemble.policy.internal;

import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** {@code ensemble.guardrail.*}: the policies to seed at start (each as the admin API takes it, {@code id} included). */
@ConfigurationProperties("ensemble.guardrail")
public record GuardrailSettings(List<PolicyStore.PolicyRequest> policies) {

    public GuardrailSettings {
        policies = policies == null ? List.of() : List.copyOf(policies);
    }
}
