package ai.ensemble.policy.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The prompt-injection detector on the shared evaluation data (read, never copied): precision,
 * recall and F1 on {@code injection/deepset_train.jsonl} (label 1 = injection; about a third German)
 * at several thresholds, and the share of {@code benign/selfinstruct_seed.jsonl} it would flag.
 * The detector was trained on Ensemble's own examples only, so all of this data is held out.
 * <pre>./mvnw -q test-compile org.codehaus.mojo:exec-maven-plugin:3.5.1:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=ai.ensemble.policy.internal.InjectionEvaluation [-Densemble.data=../shared/data]</pre>
 */
public final class InjectionEvaluation {

    private InjectionEvaluation() {
    }

    public static void main(String[] args) throws IOException {
        Path data = Path.of(System.getProperty("ensemble.data", "../shared/data"));
        Path injections = data.resolve("injection/deepset_train.jsonl");
        Path benign = data.resolve("benign/selfinstruct_seed.jsonl");
        if (!Files.exists(injections) || !Files.exists(benign)) {
            System.out.println("evaluation data not found under " + data.toAbsolutePath() + ": skipped");
            return;
        }
        JsonMapper json = JsonMapper.builder().build();
        List<String> texts = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (String line : Files.readAllLines(injections)) {
            if (!line.isBlank()) {
                JsonNode row = json.readTree(line);
                texts.add(row.get("text").asString());
                labels.add(row.get("label").asInt());
            }
        }
        List<String> ordinary = new ArrayList<>();
        for (String line : Files.readAllLines(benign)) {
            if (!line.isBlank()) {
                JsonNode row = json.readTree(line);
                JsonNode text = row.has("prompt") ? row.get("prompt") : row.get("text");
                ordinary.add(text.asString());
            }
        }
        long started = System.nanoTime();
        InjectionDetector detector = InjectionDetector.trained();
        System.out.printf(Locale.ROOT, "trained in %.0f ms (embedding model load included)%n", (System.nanoTime() - started) / 1e6);
        double[] scores = new double[texts.size()];
        long scanStart = System.nanoTime();
        for (int i = 0; i < texts.size(); i++) {
            scores[i] = detector.scan(texts.get(i)).getFirst().score();
        }
        double perText = (System.nanoTime() - scanStart) / 1e6 / texts.size();
        double[] benignScores = ordinary.stream().mapToDouble(t -> detector.scan(t).getFirst().score()).toArray();
        System.out.printf(Locale.ROOT, "%s: %d texts (%d injections); %s: %d texts; %.1f ms per text on %d CPUs (loadavg %s)%n",
                injections, texts.size(), labels.stream().mapToInt(Integer::intValue).sum(), benign, ordinary.size(), perText,
                Runtime.getRuntime().availableProcessors(), Files.readString(Path.of("/proc/loadavg")).strip());
        table(scores, labels, benignScores);
        // what a deployment gets with labelled data of its own: 5-fold cross-validation, each fold's detector
        // trained on the shipped examples plus the other four folds (ensemble.guardrail.injection-examples)
        double[] crossScores = new double[texts.size()];
        List<String> seedTexts = new ArrayList<>();
        List<Integer> seedLabels = new ArrayList<>();
        for (String line : new String(InjectionEvaluation.class.getResourceAsStream("/guardrail/injection-seed.jsonl").readAllBytes(),
                java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                JsonNode row = json.readTree(line);
                seedTexts.add(row.get("text").asString());
                seedLabels.add(row.get("label").asInt());
            }
        }
        double[] crossBenign = new double[benignScores.length];
        for (int fold = 0; fold < 5; fold++) {
            List<String> trainTexts = new ArrayList<>(seedTexts);
            List<Integer> trainLabels = new ArrayList<>(seedLabels);
            for (int i = 0; i < texts.size(); i++) {
                if (i % 5 != fold) {
                    trainTexts.add(texts.get(i));
                    trainLabels.add(labels.get(i));
                }
            }
            InjectionDetector foldDetector = InjectionDetector.train(trainTexts, trainLabels.stream().mapToInt(Integer::intValue).toArray());
            for (int i = fold; i < texts.size(); i += 5) {
                crossScores[i] = foldDetector.scan(texts.get(i)).getFirst().score();
            }
            for (int i = 0; i < ordinary.size(); i++) {
                crossBenign[i] += foldDetector.scan(ordinary.get(i)).getFirst().score() / 5;
            }
        }
        System.out.println("\nwith labelled data of the deployment's own (5-fold cross-validation on the deepset set; benign: mean of the folds' scores):");
        table(crossScores, labels, crossBenign);
    }

    private static void table(double[] scores, List<Integer> labels, double[] benignScores) {
        System.out.println("| threshold | precision | recall | F1 | accuracy | benign flagged |");
        System.out.println("|---:|---:|---:|---:|---:|---:|");
        for (double threshold : new double[] {0.3, 0.4, 0.5, 0.6, 0.7, 0.8}) {
            int tp = 0, fp = 0, fn = 0, tn = 0;
            for (int i = 0; i < scores.length; i++) {
                boolean flagged = scores[i] >= threshold;
                boolean injection = labels.get(i) == 1;
                if (flagged && injection) tp++;
                else if (flagged) fp++;
                else if (injection) fn++;
                else tn++;
            }
            int benignFlagged = 0;
            for (double score : benignScores) {
                if (score >= threshold) benignFlagged++;
            }
            double precision = tp + fp == 0 ? 0 : (double) tp / (tp + fp);
            double recall = tp + fn == 0 ? 0 : (double) tp / (tp + fn);
            double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            System.out.printf(Locale.ROOT, "| %.1f | %.3f | %.3f | %.3f | %.3f | %.1f %% (%d/%d) |%n", threshold, precision, recall, f1,
                    (double) (tp + tn) / scores.length, 100.0 * benignFlagged / benignScores.length, benignFlagged, benignScores.length);
        }
    }
}
