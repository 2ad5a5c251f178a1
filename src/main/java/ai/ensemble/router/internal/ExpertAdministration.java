package ai.ensemble.router.internal;

import ai.ensemble.embedding.SentenceEmbeddings;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

import ai.ensemble.expert.Expert;
import ai.ensemble.expert.ExpertDefinition;
import ai.ensemble.expert.ExpertFactory;
import ai.ensemble.shared.ApiError;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * {@code /admin/api/experts}: experts and their example utterances. Every change is validated in
 * full, the expert is built before anything is written (an engine model that cannot load is a
 * 400, not a half-registered expert), written in one transaction, and then the catalog reloads
 * and, when examples changed, retrains.
 */
@Service
public class ExpertAdministration {

    public record ExampleView(long id, String text, Instant createdAt) {
    }

    public record ExamplesAdded(int added, int duplicates, int total) {
    }

    private final ExpertStore store;
    private final ExpertCatalog catalog;
    private final ExpertHealth health;
    private final ExpertFactory factory;
    private final TransactionTemplate transactions;

    ExpertAdministration(ExpertStore store, ExpertCatalog catalog, ExpertHealth health, ExpertFactory factory,
                         TransactionTemplate transactions) {
        this.store = store;
        this.catalog = catalog;
        this.health = health;
        this.factory = factory;
        this.transactions = transactions;
    }

    public List<ExpertView> list() {
        Map<String, Integer> counts = new HashMap<>();
        store.examples().forEach(e -> counts.merge(e.expertId(), 1, Integer::sum));
        return store.all().stream().map(s -> view(s, counts.getOrDefault(s.id(), 0))).toList();
    }

    public ExpertView get(String id) {
        ExpertStore.StoredExpert stored = stored(id);
        return view(stored, store.examples(id).size());
    }

    public ExpertView create(ExpertChange change) {
        if (change.id() == null) {
            throw ExpertValidation.invalid("id", "'id' is required");
        }
        ExpertDefinition definition = change.definition(change.id(), null);
        ExpertValidation.validate(definition);
        if (store.find(definition.id()).isPresent()) {
            throw ApiError.conflict("id", "Expert '" + definition.id() + "' already exists").exception();
        }
        List<String> texts = List.copyOf(new LinkedHashSet<>(definition.examples()));
        List<float[]> vectors = SentenceEmbeddings.embedAll(texts);
        Expert expert = definition.enabled() ? build(definition) : null;
        try {
            transactions.executeWithoutResult(status -> {
                store.insert(definition, "admin", null);
                for (int i = 0; i < texts.size(); i++) {
                    store.insertExample(definition.id(), texts.get(i), vectors.get(i));
                }
                store.bumpVersion();
            });
        } catch (DuplicateKeyException e) {
            close(expert);
            throw ApiError.conflict("id", "Expert '" + definition.id() + "' already exists").exception();
        } catch (RuntimeException e) {
            close(expert); // a worker expert polls, an engine expert holds a model: neither may outlive a failed write
            throw e;
        }
        catalog.reload(expert == null ? Map.of() : Map.of(definition.id(), expert));
        return get(definition.id());
    }

    /** Replaces the definition; {@code examples}, if given, are added to the expert's examples. */
    public ExpertView update(String id, ExpertChange change) {
        if (change.id() != null && !change.id().equals(id)) {
            throw ExpertValidation.invalid("id", "'id' cannot change (it is " + id + "); create a new expert instead");
        }
        ExpertStore.StoredExpert stored = stored(id);
        ExpertDefinition definition = change.definition(id, stored.definition().apiKey());
        ExpertValidation.validate(definition);
        ExpertDefinition withoutExamples = new ExpertDefinition(definition.id(), definition.displayName(), definition.description(),
                definition.type(), definition.baseUrl(), definition.apiKey(), definition.model(), definition.connectTimeout(),
                definition.firstTokenTimeout(), definition.requestTimeout(), definition.maxRetries(), definition.contextLength(),
                definition.systemPrompt(), definition.streaming(), definition.costWeight(), definition.effectiveDataClassification(),
                definition.runsOnPremises(), definition.enabled(), definition.allowedRoles(), List.of());
        List<String> texts = List.copyOf(new LinkedHashSet<>(definition.examples()));
        List<float[]> vectors = SentenceEmbeddings.embedAll(texts);
        boolean running = catalog.entry(id).map(e -> e.definition().equals(withoutExamples)).orElse(false);
        Expert expert = withoutExamples.enabled() && !running ? build(withoutExamples) : null;
        transactions.executeWithoutResult(status -> {
            store.update(withoutExamples, stored.source(), stored.configSha256(), true);
            for (int i = 0; i < texts.size(); i++) {
                store.insertExample(id, texts.get(i), vectors.get(i));
            }
            store.bumpVersion();
        });
        catalog.reload(expert == null ? Map.of() : Map.of(id, expert));
        return get(id);
    }

    public void delete(String id) {
        stored(id);
        transactions.executeWithoutResult(status -> {
            store.delete(id);
            store.bumpVersion();
        });
        catalog.reload(Map.of());
        health.forget(id);
    }

    public List<ExampleView> examples(String id) {
        stored(id);
        return store.examples(id).stream().map(e -> new ExampleView(e.id(), e.text(), e.createdAt())).toList();
    }

    /** Adds examples from a JSON array or JSON Lines; all or none. */
    public ExamplesAdded addExamples(String id, String body, boolean jsonLines) {
        stored(id);
        List<JsonLines.Line> lines = jsonLines ? JsonLines.lines(body) : JsonLines.array(body);
        List<String> texts = lines.stream().map(JsonLines::text).toList();
        List<String> distinct = List.copyOf(new LinkedHashSet<>(texts));
        List<float[]> vectors = SentenceEmbeddings.embedAll(distinct);
        int added = transactions.execute(status -> {
            int count = 0;
            for (int i = 0; i < distinct.size(); i++) {
                count += store.insertExample(id, distinct.get(i), vectors.get(i)) ? 1 : 0;
            }
            store.bumpVersion();
            return count;
        });
        catalog.reload(Map.of());
        return new ExamplesAdded(added, texts.size() - added, store.examples(id).size());
    }

    public void deleteExample(String id, long exampleId) {
        stored(id);
        boolean deleted = Boolean.TRUE.equals(transactions.execute(status -> {
            boolean removed = store.deleteExample(id, exampleId);
            if (removed) {
                store.bumpVersion();
            }
            return removed;
        }));
        if (!deleted) {
            throw ApiError.notFound("exampleId", "Expert '" + id + "' has no example " + exampleId, "example_not_found").exception();
        }
        catalog.reload(Map.of());
    }

    public int deleteExamples(String id) {
        stored(id);
        int deleted = transactions.execute(status -> {
            int removed = store.deleteExamples(id);
            store.bumpVersion();
            return removed;
        });
        catalog.reload(Map.of());
        return deleted;
    }

    public ExpertHealth.Status probe(String id) {
        stored(id);
        if (catalog.entry(id).isEmpty()) {
            throw ApiError.conflict("id", "Expert '" + id + "' is not serving (disabled, or it could not start)").exception();
        }
        return health.probe(id);
    }

    private ExpertStore.StoredExpert stored(String id) {
        return store.find(id).orElseThrow(() -> ApiError.notFound("id", "No expert '" + id + "'", "expert_not_found").exception());
    }

    private ExpertView view(ExpertStore.StoredExpert stored, int examples) {
        return ExpertView.of(stored, examples, catalog.entry(stored.id()).isPresent(), health.status(stored.id()));
    }

    private Expert build(ExpertDefinition definition) {
        try {
            return factory.create(definition, "expert");
        } catch (IllegalArgumentException e) {
            String field = switch (definition.type()) {
                case "upstream", "worker" -> "baseUrl";
                default -> "model";
            };
            throw ExpertValidation.invalid(field, "The expert cannot start: " + e.getMessage());
        }
    }

    private static void close(Expert expert) {
        if (expert instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception ignored) {
                // nothing was registered; the failure to release is not the caller's concern
            }
        }
    }
}
