package ai.ensemble.router.internal;

import ai.ensemble.embedding.SentenceEmbeddings;
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
 *     [-Drouting.data=../shared/data/routing/mmlu_train.jsonl] [-Drouting.test-per-expert=60]
 *     [-Drouting.validation-per-expert=25] [-Drouting.seed=42] [-Drouting.seeds=5] [-Drouting.latency-only=true]</pre>
 *
 * <p>Each split (one per seed) holds out {@code test-per-expert} questions of every expert as the
 * balanced test set and {@code validation-per-expert} more to choose the L2 penalty; the classifier
 * is then trained on everything but the test set, and the baseline indexes the same questions.
 */
public final class RouterBenchmark {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final List<String> EXPERTS = List.of("code", "math", "medical", "legal", "finance", "general");
    private static final double[] REGULARISATION = {1e-5, 3e-5, 1e-4, 3e-4, 1e-3};
    private static final double[] THRESHOLDS = {0, 0.3, 0.4, 0.5, 0.6};

    private record Question(String text, int expert) {
    }

    /** Indices into the questions: a balanced test set, a balanced validation set, and the rest to fit on. */
    private record Split(List<Integer> test, List<Integer> validation, List<Integer> fit) {
    }

    private static Split split(List<Question> questions, int testPerExpert, int validationPerExpert, Random random) {
        List<Integer> test = new ArrayList<>();
        List<Integer> validation = new ArrayList<>();
        List<Integer> fit = new ArrayList<>();
        for (int expert = 0; expert < EXPERTS.size(); expert++) {
            List<Integer> mine = new ArrayList<>();
            for (int i = 0; i < questions.size(); i++) {
                if (questions.get(i).expert() == expert) {
                    mine.add(i);
                }
            }
            Collections.shuffle(mine, random);
            test.addAll(mine.subList(0, testPerExpert));
            validation.addAll(mine.subList(testPerExpert, testPerExpert + validationPerExpert));
            fit.addAll(mine.subList(testPerExpert + validationPerExpert, mine.size()));
        }
        return new Split(test, validation, fit);
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
        int validationPerExpert = Integer.getInteger("routing.validation-per-expert", 25);
        long firstSeed = Long.getLong("routing.seed", 42);
        int seeds = Integer.getInteger("routing.seeds", 5);
        List<Question> questions = new ArrayList<>();
        for (String line : Files.readAllLines(data)) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode row = JSON.readTree(line);
            questions.add(new Question(row.get("question").asString(), EXPERTS.indexOf(row.get("router_domain").asString())));
        }
        System.out.printf(Locale.ROOT, "data: %s, %d questions %s%n", data, questions.size(), counts(questions));
        if (Boolean.getBoolean("routing.latency-only")) {
            // A quick classifier (100 questions per expert) is enough to time a decision: classification costs microseconds.
            List<Question> sample = new ArrayList<>();
            for (int expert = 0; expert < EXPERTS.size(); expert++) {
                int e = expert;
                sample.addAll(questions.stream().filter(q -> q.expert() == e).limit(100).toList());
            }
            SoftmaxClassifier quick = train(SentenceEmbeddings.embedAll(sample.stream().map(Question::text).toList()), sample, 1e-4);
            System.out.printf(Locale.ROOT, "load average before the latency runs: %s%n", loadAverage());
            latency(quick, questions.subList(questions.size() - 400, questions.size()));
            return;
        }
        long embedStart = System.nanoTime();
        List<float[]> vectors = SentenceEmbeddings.embedAll(questions.stream().map(Question::text).toList());
        System.out.printf(Locale.ROOT, "embedded %d questions in %.1f s (load average %s)%n", questions.size(),
                (System.nanoTime() - embedStart) / 1e9, loadAverage());

        List<double[]> results = new ArrayList<>(); // accuracy, macro-F1, baseline accuracy, baseline macro-F1
        SoftmaxClassifier last = null;
        List<Question> lastTest = null;
        for (long seed = firstSeed; seed < firstSeed + seeds; seed++) {
            Split split = split(questions, testPerExpert, validationPerExpert, new Random(seed));
            // The penalty is chosen on a balanced validation set carved from the training part, never on the test set.
            double bestRegularisation = REGULARISATION[0];
            double bestScore = -1;
            StringBuilder tried = new StringBuilder();
            for (double regularisation : REGULARISATION) {
                SoftmaxClassifier candidate = train(pick(vectors, split.fit()), pick(questions, split.fit()), regularisation);
                ClassificationReport report = evaluate(candidate, pick(vectors, split.validation()), pick(questions, split.validation()), 0);
                tried.append(String.format(Locale.ROOT, " %.0e:%.3f", regularisation, report.macroF1()));
                if (report.macroF1() > bestScore) {
                    bestScore = report.macroF1();
                    bestRegularisation = regularisation;
                }
            }
            List<Integer> train = new ArrayList<>(split.fit());
            train.addAll(split.validation());
            long trainStart = System.nanoTime();
            SoftmaxClassifier classifier = train(pick(vectors, train), pick(questions, train), bestRegularisation);
            double trainSeconds = (System.nanoTime() - trainStart) / 1e9;
            List<Question> test = pick(questions, split.test());
            List<float[]> testVectors = pick(vectors, split.test());
            NearestExample nearest = new NearestExample(pick(vectors, train),
                    pick(questions, train).stream().mapToInt(Question::expert).toArray());
            List<String> truth = test.stream().map(q -> EXPERTS.get(q.expert())).toList();
            ClassificationReport baseline = ClassificationReport.of(truth,
                    testVectors.stream().map(v -> EXPERTS.get(nearest.predict(v))).toList(), truth.stream().map(t -> false).toList());
            ClassificationReport plain = evaluate(classifier, testVectors, test, 0);
            System.out.printf(Locale.ROOT, "seed %d: train %d %s, validation macro-F1 by penalty%s -> %.0e, trained in %.2f s%n",
                    seed, train.size(), counts(pick(questions, train)), tried, bestRegularisation, trainSeconds);
            System.out.printf(Locale.ROOT, "  test %d (balanced): classifier accuracy %.4f macro-F1 %.4f | nearest example accuracy %.4f macro-F1 %.4f%n",
                    test.size(), plain.accuracy(), plain.macroF1(), baseline.accuracy(), baseline.macroF1());
            for (double threshold : THRESHOLDS) {
                if (threshold > 0) {
                    ClassificationReport report = evaluate(classifier, testVectors, test, threshold);
                    System.out.printf(Locale.ROOT, "    threshold %.1f (fallback: general): accuracy %.4f, macro-F1 %.4f, fallback rate %.4f%n",
                            threshold, report.accuracy(), report.macroF1(), report.fallbackRate());
                }
            }
            if (seed == firstSeed) {
                System.out.println("  classifier confusion matrix (truth -> predicted): " + plain.confusionMatrix());
                System.out.println("  baseline confusion matrix: " + baseline.confusionMatrix());
            }
            results.add(new double[] {plain.accuracy(), plain.macroF1(), baseline.accuracy(), baseline.macroF1()});
            last = classifier;
            lastTest = test;
        }
        String[] names = {"classifier accuracy", "classifier macro-F1", "nearest-example accuracy", "nearest-example macro-F1"};
        for (int m = 0; m < names.length; m++) {
            int metric = m;
            double mean = results.stream().mapToDouble(r -> r[metric]).average().orElseThrow();
            double sd = Math.sqrt(results.stream().mapToDouble(r -> (r[metric] - mean) * (r[metric] - mean)).sum()
                    / Math.max(1, results.size() - 1));
            double min = results.stream().mapToDouble(r -> r[metric]).min().orElseThrow();
            System.out.printf(Locale.ROOT, "%s over %d splits: mean %.4f, sd %.4f, min %.4f%n", names[m], results.size(), mean, sd, min);
        }
        SoftmaxClassifier classifier = last;
        List<Question> test = lastTest;
        System.out.printf(Locale.ROOT, "load average before the latency runs: %s%n", loadAverage());
        latency(classifier, test);
    }

    /**
     * Embedding plus classification of one query, as the router does it per request: for queries of
     * about 20, 60 and 200 word pieces (whole test questions joined), each timed on its own.
     */
    private static void latency(SoftmaxClassifier classifier, List<Question> test) {
        HuggingFaceTokenCountEstimator counter = new HuggingFaceTokenCountEstimator();
        AllMiniLmL6V2EmbeddingModel model = new AllMiniLmL6V2EmbeddingModel();
        boolean[] all = new boolean[EXPERTS.size()];
        Arrays.fill(all, true);
        int runs = Integer.getInteger("routing.latency-runs", 500);
        double sink = 0;
        for (int target : new int[] {20, 60, 200}) {
            StringBuilder query = new StringBuilder();
            int tokens = 0;
            for (Question q : test) {
                int more = counter.estimateTokenCountInText(query.isEmpty() ? q.text() : query + " " + q.text());
                if (more > target * 1.15) {
                    continue;
                }
                query.append(query.isEmpty() ? "" : " ").append(q.text());
                tokens = more;
                if (tokens >= target * 0.9) {
                    break;
                }
            }
            String text = query.toString();
            int embedded = model.embed(text).tokenUsage().inputTokenCount();
            long[] nanos = new long[runs];
            for (int i = 0; i < 50 + runs; i++) {
                long start = System.nanoTime();
                double[] p = SoftmaxClassifier.probabilities(classifier.logits(SentenceEmbeddings.embed(text)), all);
                long elapsed = System.nanoTime() - start;
                sink += p[0];
                if (i >= 50) {
                    nanos[i - 50] = elapsed;
                }
            }
            Arrays.sort(nanos);
            System.out.printf(Locale.ROOT, "latency, embedding + classification, %d-token query (%d characters; the model reads "
                            + "%d), %d runs: p50 %.2f ms, p99 %.2f ms, max %.2f ms%n", tokens, text.length(), embedded, runs,
                    nanos[runs / 2] / 1e6, nanos[(int) Math.ceil(runs * 0.99) - 1] / 1e6, nanos[runs - 1] / 1e6);
        }
        float[] vector = SentenceEmbeddings.embed(test.getFirst().text());
        long classifyStart = System.nanoTime();
        for (int i = 0; i < 100_000; i++) {
            sink += SoftmaxClassifier.probabilities(classifier.logits(vector), all)[0];
        }
        System.out.printf(Locale.ROOT, "classification alone (6 experts x 384): %.2f µs per query%s%n",
                (System.nanoTime() - classifyStart) / 100_000 / 1e3, sink == 42 ? " " : "");
        System.out.printf(Locale.ROOT, "machine: %s, %d cores, load average %s%n", System.getProperty("os.arch"),
                Runtime.getRuntime().availableProcessors(), loadAverage());
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (IOException e) {
            return "unknown";
        }
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
