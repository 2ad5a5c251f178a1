package ai.ensemble.router.internal;

import java.util.List;

import ai.ensemble.expert.ExpertDefinition;
import ai.ensemble.router.ExpertRegistry;
import ai.ensemble.shared.ApiError;
import org.springframework.stereotype.Service;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@link ExpertRegistry} over {@link ExpertAdministration}: an edit starts from the stored
 * definition, so fields the editor does not show (endpoint, API key, timeouts) are kept rather than
 * reset to their defaults.
 */
@Service
class ExpertRegistryService implements ExpertRegistry {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final ExpertAdministration administration;
    private final ExpertStore store;

    ExpertRegistryService(ExpertAdministration administration, ExpertStore store) {
        this.administration = administration;
        this.store = store;
    }

    @Override
    public List<ExpertSummary> experts() {
        return administration.list().stream().map(ExpertRegistryService::summary).toList();
    }

    @Override
    public ExpertSummary expert(String id) {
        return summary(administration.get(id));
    }

    @Override
    public ExpertSummary edit(String id, Edit edit) {
        ExpertDefinition d = stored(id);
        return summary(administration.update(id, change(d, edit.displayName(), edit.description(), edit.systemPrompt(),
                edit.costWeight(), edit.allowedRoles(), d.enabled())));
    }

    @Override
    public ExpertSummary setEnabled(String id, boolean enabled) {
        ExpertDefinition d = stored(id);
        return summary(administration.update(id, change(d, d.displayName(), d.description(), d.systemPrompt(), d.costWeight(),
                d.allowedRoles(), enabled)));
    }

    @Override
    public List<Example> examples(String id) {
        return administration.examples(id).stream().map(e -> new Example(e.id(), e.text(), e.createdAt())).toList();
    }

    @Override
    public boolean addExample(String id, String text) {
        stored(id);
        ExpertValidation.example("text", text);
        return administration.addExamples(id, JSON.writeValueAsString(List.of(text.strip())), false).added() == 1;
    }

    @Override
    public void deleteExample(String id, long exampleId) {
        administration.deleteExample(id, exampleId);
    }

    private ExpertDefinition stored(String id) {
        return store.find(id).orElseThrow(() -> ApiError.notFound("id", "No expert '" + id + "'", "expert_not_found").exception())
                .definition();
    }

    private static ExpertChange change(ExpertDefinition d, String displayName, String description, String systemPrompt,
                                       double costWeight, List<String> allowedRoles, boolean enabled) {
        return new ExpertChange(d.id(), displayName, description, d.type(), d.baseUrl(), null, d.model(), systemPrompt,
                d.contextLength(), d.streaming(), costWeight, d.dataClassification(), d.onPremises(), enabled, allowedRoles,
                d.connectTimeout().toMillis(), d.firstTokenTimeout().toMillis(), d.requestTimeout().toMillis(), d.maxRetries(),
                null);
    }

    private static ExpertSummary summary(ExpertView v) {
        return new ExpertSummary(v.id(), v.displayName(), v.description(), v.type(), v.systemPrompt(), v.costWeight(),
                v.allowedRoles(), v.dataClassification(), v.enabled(), v.serving(), v.health() == null || v.health().healthy(),
                v.examples());
    }
}
