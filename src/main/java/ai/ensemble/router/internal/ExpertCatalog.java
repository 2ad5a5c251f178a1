package ai.ensemble.router.internal;

import ai.ensemble.embedding.SentenceEmbeddings;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import ai.ensemble.expert.Expert;
import ai.ensemble.expert.ExpertDefinition;
import ai.ensemble.expert.ExpertFactory;
import ai.ensemble.expert.ExpertRegistry;
import ai.ensemble.expert.ExpertSettings;
import ai.ensemble.router.RouterSettings;
import ai.ensemble.router.internal.ExpertStore.StoredExample;
import ai.ensemble.router.internal.ExpertStore.StoredExpert;
import ai.ensemble.shared.ApiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The experts this replica serves and the classifier trained on their examples, as one immutable
 * snapshot swapped on every change. Seeds the configured experts at start, reloads after each
 * change made here, and polls the registry version so that other replicas' changes arrive within
 * {@code ensemble.router.refresh-interval}. Running experts are kept across reloads unless their
 * definition changed (an engine expert holds a loaded model).
 */
@Component
class ExpertCatalog implements ExpertRegistry, SmartInitializingSingleton, DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(ExpertCatalog.class);

    record Entry(ExpertDefinition definition, Expert expert, String source, int examples) {
    }

    /** The experts (enabled ones only, in registry order) and the classifier over those with examples. */
    record Snapshot(Map<String, Entry> experts, SoftmaxClassifier classifier, String trainingKey, long version,
                    Training training) {
    }

    /** When the classifier was last trained, on how many examples, and how long it took. */
    record Training(Instant at, int examples, long milliseconds) {
    }

    private final ExpertStore store;
    private final ExpertFactory factory;
    private final ExpertSettings configured;
    private final RouterSettings settings;
    private final TransactionTemplate transactions;
    private volatile Snapshot snapshot = new Snapshot(Map.of(), null, "", -1, null);

    ExpertCatalog(ExpertStore store, ExpertFactory factory, ExpertSettings configured, RouterSettings settings,
                  TransactionTemplate transactions) {
        this.store = store;
        this.factory = factory;
        this.configured = configured;
        this.settings = settings;
        this.transactions = transactions;
    }

    Snapshot snapshot() {
        return snapshot;
    }

    @Override
    public List<Expert> all() {
        return snapshot.experts().values().stream().map(Entry::expert).toList();
    }

    @Override
    public Optional<Expert> find(String id) {
        return Optional.ofNullable(snapshot.experts().get(id)).map(Entry::expert);
    }

    Optional<Entry> entry(String id) {
        return Optional.ofNullable(snapshot.experts().get(id));
    }

    @Override
    public void afterSingletonsInstantiated() {
        SentenceEmbeddings.warmUp();
        seed();
        reload(Map.of());
        if (settings.fallbackExpert() != null && !snapshot.experts().containsKey(settings.fallbackExpert())) {
            log.warn("ensemble.router.fallback-expert '{}' is not an enabled expert: low-confidence queries go to the best guess",
                    settings.fallbackExpert());
        }
    }

    /** Writes configured experts the table lacks, or whose configuration changed since they were seeded. */
    private void seed() {
        List<ExpertDefinition> definitions = configured.experts();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < definitions.size(); i++) {
            ExpertDefinition definition = definitions.get(i);
            String where = "ensemble.experts[" + i + "]";
            try {
                ExpertValidation.validate(definition);
            } catch (ApiException e) {
                throw new IllegalStateException(where + "." + e.error().param() + ": " + e.getMessage());
            }
            if (!ids.add(definition.id())) {
                throw new IllegalStateException(where + ".id '" + definition.id() + "' is used twice");
            }
        }
        transactions.executeWithoutResult(status -> {
            boolean changed = false;
            for (ExpertDefinition definition : definitions) {
                String sha256 = sha256(definition.toString());
                Optional<StoredExpert> stored = store.find(definition.id());
                if (stored.isPresent() && sha256.equals(stored.get().configSha256())) {
                    continue;
                }
                if (stored.isEmpty()) {
                    store.insert(definition, "config", sha256);
                } else {
                    log.info("Expert '{}' changed in configuration: the configuration replaces the stored definition", definition.id());
                    store.update(definition, "config", sha256, true);
                }
                Set<String> existing = new HashSet<>(store.exampleTexts(definition.id()));
                List<String> missing = definition.examples().stream().distinct().filter(t -> !existing.contains(t)).toList();
                List<float[]> vectors = SentenceEmbeddings.embedAll(missing);
                for (int i = 0; i < missing.size(); i++) {
                    store.insertExample(definition.id(), missing.get(i), vectors.get(i));
                }
                changed = true;
            }
            int disabled = store.disableConfiguredExcept(new ArrayList<>(ids));
            if (disabled > 0) {
                log.warn("{} expert(s) seeded from configuration are no longer configured and were disabled", disabled);
            }
            if (changed || disabled > 0) {
                store.bumpVersion();
            }
        });
    }

    /** Polls the registry version: another replica's change arrives within the refresh interval. */
    @Scheduled(initialDelayString = "${ensemble.router.refresh-interval:10s}", fixedDelayString = "${ensemble.router.refresh-interval:10s}")
    void refresh() {
        if (store.version() != snapshot.version()) {
            reload(Map.of());
        }
    }

    /**
     * Re-reads experts and examples and retrains when the examples changed.
     *
     * @param prepared running experts already built for definitions just written (so none is built twice)
     */
    synchronized void reload(Map<String, Expert> prepared) {
        Snapshot previous = snapshot;
        long version = store.version();
        List<StoredExpert> rows = store.all();
        List<StoredExample> examples = store.examples();
        Map<String, Integer> counts = new LinkedHashMap<>();
        examples.forEach(e -> counts.merge(e.expertId(), 1, Integer::sum));
        Map<String, Entry> experts = new LinkedHashMap<>();
        for (StoredExpert row : rows) {
            ExpertDefinition definition = row.definition();
            if (!definition.enabled()) {
                continue;
            }
            Entry old = previous.experts().get(definition.id());
            Expert expert = prepared.get(definition.id());
            if (expert == null && old != null && old.definition().equals(definition)) {
                expert = old.expert();
            }
            if (expert == null) {
                try {
                    expert = factory.create(definition, "expert '" + definition.id() + "'");
                } catch (IllegalArgumentException e) {
                    log.error("Expert '{}' cannot run and is skipped: {}", definition.id(), e.getMessage());
                    continue;
                }
            }
            experts.put(definition.id(), new Entry(definition, expert, row.source(), counts.getOrDefault(definition.id(), 0)));
        }
        List<String> labels = experts.values().stream().filter(e -> e.examples() > 0).map(e -> e.definition().id()).toList();
        List<StoredExample> training = examples.stream().filter(e -> labels.contains(e.expertId())).toList();
        StringBuilder key = new StringBuilder(labels.toString());
        training.forEach(e -> key.append(',').append(e.id()));
        String trainingKey = key.toString();
        SoftmaxClassifier classifier = previous.classifier();
        Training trained = previous.training();
        if (!trainingKey.equals(previous.trainingKey())) {
            long started = System.nanoTime();
            classifier = labels.isEmpty() ? null : train(labels, training);
            trained = labels.isEmpty() ? null
                    : new Training(Instant.now(), training.size(), (System.nanoTime() - started) / 1_000_000);
        }
        snapshot = new Snapshot(java.util.Collections.unmodifiableMap(experts), classifier, trainingKey, version, trained);
        for (Entry old : previous.experts().values()) {
            Entry current = experts.get(old.definition().id());
            if (current == null || current.expert() != old.expert()) {
                close(old.expert());
            }
        }
    }

    private SoftmaxClassifier train(List<String> labels, List<StoredExample> training) {
        long started = System.nanoTime();
        List<float[]> vectors = training.stream().map(StoredExample::embedding).toList();
        int[] classes = training.stream().mapToInt(e -> labels.indexOf(e.expertId())).toArray();
        SoftmaxClassifier classifier = SoftmaxClassifier.train(labels, vectors, classes, settings.regularisation());
        log.info("Router trained on {} examples of {} experts in {} ms", training.size(), labels.size(),
                (System.nanoTime() - started) / 1_000_000);
        return classifier;
    }

    private static void close(Expert expert) {
        if (expert instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                log.warn("Closing expert '{}' failed: {}", expert.info().id(), e.toString());
            }
        }
    }

    @Override
    public void destroy() {
        snapshot.experts().values().forEach(e -> close(e.expert()));
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
