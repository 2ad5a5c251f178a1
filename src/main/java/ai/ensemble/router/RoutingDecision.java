package ai.ensemble.router;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Why a request went where it went. {@code mode} is {@code auto} (the router chose) or
 * {@code explicit} (the request named the expert). For {@code auto}: {@code predicted} is the
 * classifier's best expert and {@code confidence} its probability among the experts the caller may
 * use; {@code scores} holds those probabilities (only experts the caller may use appear);
 * {@code fallback} is true when the answer comes from another expert than {@code predicted}, and
 * {@code fallbackReason} says why ({@code low_confidence}, {@code unhealthy}, {@code no_trained_expert},
 * {@code blank_prompt}, {@code expert_failed}); {@code skipped} lists unhealthy experts passed over. {@code shadow} is the
 * candidate configuration's choice, when one is configured.
 */
public record RoutingDecision(String expert, String mode, String predicted, Double confidence, double threshold,
                              boolean fallback, String fallbackReason, Map<String, Double> scores, List<String> skipped,
                              Map<String, Object> shadow, double latencyMs) {

    public static final String AUTO = "auto";
    public static final String EXPLICIT = "explicit";

    public RoutingDecision {
        scores = scores == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(scores));
        skipped = skipped == null ? List.of() : List.copyOf(skipped);
    }

    public static RoutingDecision explicit(String expert) {
        return new RoutingDecision(expert, EXPLICIT, null, null, 0, false, null, Map.of(), List.of(), null, 0);
    }

    /** The same decision, served by another expert for the given reason. */
    public RoutingDecision rerouted(String to, String reason, List<String> alsoSkipped) {
        List<String> all = new java.util.ArrayList<>(skipped);
        all.addAll(alsoSkipped);
        return new RoutingDecision(to, mode, predicted, confidence, threshold, true, reason, scores, all, shadow, latencyMs);
    }

    /** The decision as the audit record holds it (snake_case keys, like the rest of the record). */
    public Map<String, Object> audit() {
        Map<String, Object> audit = new LinkedHashMap<>();
        audit.put("mode", mode);
        audit.put("expert", expert);
        if (AUTO.equals(mode)) {
            audit.put("predicted", predicted);
            audit.put("confidence", confidence);
            audit.put("threshold", threshold);
            audit.put("scores", scores);
            audit.put("latency_ms", latencyMs);
        }
        audit.put("fallback", fallback);
        if (fallbackReason != null) {
            audit.put("fallback_reason", fallbackReason);
        }
        if (!skipped.isEmpty()) {
            audit.put("skipped", skipped);
        }
        if (shadow != null) {
            audit.put("shadow", shadow);
        }
        return audit;
    }
}
