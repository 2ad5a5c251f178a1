package ai.ensemble.engine.cuda;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Disables a test class where the cuda backend cannot run (no JCuda natives, no driver, no Hopper
 * GPU), reporting the reason as the skip message.
 */
final class RequiresGpu implements ExecutionCondition {

    private static CudaForward.Availability availability;

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        synchronized (RequiresGpu.class) {
            if (availability == null) {
                availability = CudaForward.availability();
            }
        }
        return availability.available()
                ? ConditionEvaluationResult.enabled("GPU: " + availability.reason())
                : ConditionEvaluationResult.disabled("skipped: no usable GPU for the cuda backend (" + availability.reason() + ")");
    }
}
