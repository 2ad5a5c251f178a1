package ai.ensemble.router.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

import dev.langchain4j.model.embedding.onnx.HuggingFaceTokenCountEstimator;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The router's accuracy and latency on MMLU questions mapped to six experts (code, math, medical,
 * legal, finance, general): trains on part of {@code routing/mmlu_train.jsonl}, holds out a balanced
 * test set, and compares the classifier with nearest-example matching (the semantic-router
 * baseline). Not a test: run it by hand (the data stays outside the repository):
 *
 * <pre>./mvnw -q test-compile exec:java -Dexec.mainClass=ai.ensemble.router.internal.RouterBenchmark \
 *     [-Drouting.data=../shared/data/routing/mmlu_train.jsonl] [-Drouting.test-per-expert=60] [-Drouting.seed=42]</pre>
 */
public final class RouterBenchmark {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final List<String> EXPERTS = List.of("code", "math", "medical", "legal", "finance", "general");
    private static final double[] REGULARISATION = {1e-5, 3e-5, 1e-4, 3e-4, 1e-3};
    private static final double[] THRESHOLDS = {0, 0.3, 0.4, 0.5, 0.6};

    private record Question(String text, int expert) {
    }

    private RouterBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        Path data = Path.of(System.getProperty("routing.data", "../shared/data/routing/mmlu_train.jsonl"));
        if (!Files.isRegularFile(data)) {
            System.out.println("SKIPPED: " + data.toAbsolutePath() + " is absent; pass -Drouting.data=<path to mmlu_train.jsonl>");
            return;
        }
        int testPerExpert = Integer.getInteger("routing.test-per-expert", 60);
        long seed = Long.getLong("routing.seed", 42);
        List<List<Question>> byExpert = new ArrayList<>();
        EXPERTS.forEach(e -> byExpert.add(new ArrayList<>()));
        for (String line : Files.readAllLines(data)) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode row = JSON.readTree(line);
            int expert = EXPERTS.indexOf(row.get("router_domain").asString());
            byExpert.get(expert).add(new Question(row.get("question").asString(), expert));
        }
        Random random = new Random(seed);
        List<Question> train = new ArrayList<>();
        List<Question> test = new ArrayList<>();
        for (List<Question> questions : byExpert) {
            Collections.shuffle(questions, random);
            test.addAll(questions.subList(0, testPerExpert));
            train.addAll(questions.subList(testPerExpert, questions.size()));
        }
        System.out.printf(Locale.ROOT, "data: %s%ntrain: %d questions %s; test: %d (%d per expert, seed %d)%n", data, train.size(),
                counts(train), test.size(), testPerExpert, seed);

        long embedStart = System.nanoTime();
        List<float[]> trainVectors = SentenceEmbeddings.embedAll(train.stream().map(Question::text).toList());
        List<float[]> testVectors = SentenceEmbeddings.embedAll(test.stream().map(Question::text).toList());
        System.out.printf(Locale.ROOT, "embedded %d texts in %.1f s%n", train.size() + test.size(),
                (System.nanoTime() - embedStart) / 1e9);

        // The regularisation is chosen on a validation fifth of the training part, never on the test set.
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < train.size(); i++) {
            order.add(i);
        }
        Collections.shuffle(order, random);
        int validationSize = train.size() / 5;
        List<Integer> validation = order.subList(0, validationSize);
        List<Integer> fit = order.subList(validationSize, order.size());
        double bestRegularisation = REGULARISATION[0];
        double bestScore = -1;
        for (double regularisation : REGULARISATION) {
            SoftmaxClassifier classifier = train(pick(trainVectors, fit), pick(train, fit), regularisation);
            ClassificationReport report = evaluate(classifier, pick(trainVectors, validation), pick(train, validation), 0);
            System.out.printf(Locale.ROOT, "  validation: regularisation %.0e -> accuracy %.4f, macro-F1 %.4f%n", regularisation,
                    report.accuracy(), report.macroF1());
            if (report.macroF1() > bestScore) {
                bestScore = report.macroF1();
                bestRegularisation = regularisation;
            }
        }
        long trainStart = System.nanoTime();
        SoftmaxClassifier classifier = train(trainVectors, train, bestRegularisation);
        double trainSeconds = (System.nanoTime() - trainStart) / 1e9;
        System.out.printf(Locale.ROOT, "trained on %d examples (regularisation %.0e) in %.2f s%n", train.size(), bestRegularisation,
                trainSeconds);

        System.out.println("held-out test set (balanced):");
        for (double threshold : THRESHOLDS) {
            ClassificationReport report = evaluate(classifier, testVectors, test, threshold);
            System.out.printf(Locale.ROOT, "  classifier, threshold %.1f (fallback: general): accuracy %.4f, macro-F1 %.4f, fallback rate %.4f%n",
                    threshold, report.accuracy(), report.macroF1(), report.fallbackRate());
        }
        NearestExample nearest = new NearestExample(trainVectors, train.stream().mapToInt(Question::expert).toArray());
        List<String> truth = test.stream().map(q -> EXPERTS.get(q.expert())).toList();
        List<String> nearestPredicted = testVectors.stream().map(v -> EXPERTS.get(nearest.predict(v))).toList();
        ClassificationReport baseline = ClassificationReport.of(truth, nearestPredicted, truth.stream().map(t -> false).toList());
        System.out.printf(Locale.ROOT, "  baseline, nearest example: accuracy %.4f, macro-F1 %.4f%n", baseline.accuracy(), baseline.macroF1());
        ClassificationReport plain = evaluate(classifier, testVectors, test, 0);
        System.out.println("classifier confusion matrix (truth -> predicted): " + plain.confusionMatrix());
        System.out.println("classifier per expert: " + plain.perExpert());
        System.out.println("baseline confusion matrix: " + baseline.confusionMatrix());

        latency(classifier, test);
    }

    /** Embedding plus classification of one ~200-token query, as the router does it per request. */
    private static void latency(SoftmaxClassifier classifier, List<Question> test) {
        // The model's own word-piece tokenizer counts; whole questions are added until ~200 tokens.
        HuggingFaceTokenCountEstimator counter = new HuggingFaceTokenCountEstimator();
        StringBuilder query = new StringBuilder();
        int tokens = 0;
        for (Question q : test) {
            int more = counter.estimateTokenCountInText(query + " " + q.text());
            if (more > 220) {
                continue;
            }
            query.append(query.isEmpty() ? "" : " ").append(q.text());
            tokens = more;
            if (tokens >= 190) {
                break;
            }
        }
        String text = query.toString();
        int embedded = new AllMiniLmL6V2EmbeddingModel().embed(text).tokenUsage().inputTokenCount();
        boolean[] all = new boolean[EXPERTS.size()];
        Arrays.fill(all, true);
        int warmup = 50;
        int runs = Integer.getInteger("routing.latency-runs", 500);
        long[] nanos = new long[runs];
        double sink = 0;
        for (int i = 0; i < warmup + runs; i++) {
            long start = System.nanoTime();
            double[] p = SoftmaxClassifier.probabilities(classifier.logits(SentenceEmbeddings.embed(text)), all);
            long elapsed = System.nanoTime() - start;
            sink += p[0];
            if (i >= warmup) {
                nanos[i - warmup] = elapsed;
            }
        }
        long classifyStart = System.nanoTime();
        float[] vector = SentenceEmbeddings.embed(text);
        for (int i = 0; i < 10_000; i++) {
            sink += SoftmaxClassifier.probabilities(classifier.logits(vector), all)[0];
        }
        double classifyMicros = (System.nanoTime() - classifyStart) / 10_000 / 1e3;
        Arrays.sort(nanos);
        System.out.printf(Locale.ROOT, "latency, embedding + classification of a %d-token query (%d characters; the model "
                        + "reads the first %d), %d runs: p50 %.2f ms, p99 %.2f ms, max %.2f ms; classification alone %.1f µs "
                        + "(%s, %d cores)%s%n",
                tokens, text.length(), embedded, runs, nanos[runs / 2] / 1e6, nanos[(int) Math.ceil(runs * 0.99) - 1] / 1e6,
                nanos[runs - 1] / 1e6, classifyMicros, System.getProperty("os.arch"), Runtime.getRuntime().availableProcessors(),
                sink == 42 ? " " : "");
    }

    private static SoftmaxClassifier train(List<float[]> vectors, List<Question> questions, double regularisation) {
        return SoftmaxClassifier.train(EXPERTS, vectors, questions.stream().mapToInt(Question::expert).toArray(), regularisation);
    }

    /** Argmax, or 'general' when the best probability is below the threshold. */
    private static ClassificationReport evaluate(SoftmaxClassifier classifier, List<float[]> vectors, List<Question> questions,
                                                 double threshold) {
        boolean[] all = new boolean[EXPERTS.size()];
        Arrays.fill(all, true);
        int general = EXPERTS.indexOf("general");
        List<String> truth = new ArrayList<>();
        List<String> predicted = new ArrayList<>();
        List<Boolean> fallbacks = new ArrayList<>();
        for (int i = 0; i < vectors.size(); i++) {
            double[] p = SoftmaxClassifier.probabilities(classifier.logits(vectors.get(i)), all);
            int best = 0;
            for (int c = 1; c < p.length; c++) {
                best = p[c] > p[best] ? c : best;
            }
            boolean fallback = p[best] < threshold && best != general;
            truth.add(EXPERTS.get(questions.get(i).expert()));
            predicted.add(EXPERTS.get(fallback ? general : best));
            fallbacks.add(fallback);
        }
        return ClassificationReport.of(truth, predicted, fallbacks);
    }

    private static <T> List<T> pick(List<T> values, List<Integer> indices) {
        return indices.stream().map(values::get).toList();
    }

    private static Map<String, Integer> counts(List<Question> questions) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        questions.forEach(q -> counts.merge(EXPERTS.get(q.expert()), 1, Integer::sum));
        return counts;
    }
}
