package ai.ensemble.router;

import java.time.Instant;
import java.util.List;

/**
 * The expert registry as an administrator edits it outside the admin REST API (the console): the
 * fields a person changes by hand, enabling and disabling, and the example utterances the router
 * learns from. Each change is validated like the admin API's ({@code ApiError} naming the field),
 * written in one transaction, and routing follows it at once (the classifier retrains when
 * examples change).
 */
public interface ExpertRegistry {

    /** One expert as a list shows it; {@code serving} is false when disabled or when it could not start. */
    record ExpertSummary(String id, String displayName, String description, String type, String systemPrompt,
                         double costWeight, List<String> allowedRoles, String dataClassification, boolean enabled,
                         boolean serving, boolean healthy, int examples) {
    }

    /** The hand-edited fields; everything else about the expert (endpoint, key, timeouts) stays as it is. */
    record Edit(String displayName, String description, String systemPrompt, double costWeight, List<String> allowedRoles) {
    }

    /** One routing example utterance. */
    record Example(long id, String text, Instant createdAt) {
    }

    List<ExpertSummary> experts();

    /** @throws ai.ensemble.shared.ApiException 404 naming {@code id} when there is no such expert */
    ExpertSummary expert(String id);

    ExpertSummary edit(String id, Edit edit);

    ExpertSummary setEnabled(String id, boolean enabled);

    List<Example> examples(String id);

    /** @return false when the expert already had this example */
    boolean addExample(String id, String text);

    void deleteExample(String id, long exampleId);
}
