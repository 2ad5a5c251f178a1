package ai.ensemble.policy.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

import ai.ensemble.embedding.SentenceEmbeddings;
import ai.ensemble.guardrail.Detector;
import ai.ensemble.guardrail.EntityType;
import ai.ensemble.guardrail.Finding;
import ai.ensemble.guardrail.Stage;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Prompt injection and jailbreak attempts in what callers send: the larger of two scores per window
 * of text. Heuristics: phrasings of the known attacks (override or forget the instructions, reveal the
 * system prompt, "developer mode", role-play without rules) in English and German, 0.9 each. A
 * classifier: L2-regularised logistic regression over all-MiniLM-L6-v2 embeddings, trained at start
 * (milliseconds) on labelled examples that ship with Ensemble ({@code guardrail/injection-seed.jsonl},
 * written for it). The policy's {@code minScore} is the threshold. Long texts are scored in
 * overlapping windows of {@value #WINDOW} characters (the model reads ~128 word pieces); the finding
 * spans the window that scored highest. Input stage only.
 */
public final class InjectionDetector implements Detector {

    public static final String ID = "prompt-injection";
    static final int WINDOW = 500;
    static final int STEP = 400;

    private static final List<Pattern> HEURISTICS = List.of(
            Pattern.compile("\\b(ignore|disregard|forget|skip|override)\\b.{0,40}\\b(previous|prior|above|earlier|all|your|the)\\b.{0,30}"
                    + "\\b(instructions?|rules|guidelines|directions|prompts?|programming|polic(y|ies))\\b"),
            Pattern.compile("\\b(reveal|print|show|repeat|output|leak)\\b.{0,40}\\b(system prompt|hidden instructions|your instructions|"
                    + "initial prompt|words above)\\b"),
            Pattern.compile("\\b(developer|maintenance|god|jailbreak|dan)\\s+mode\\b"),
            Pattern.compile("\\byou are (now )?(dan|an? (unfiltered|uncensored|unrestricted))\\b"),
            Pattern.compile("\\b(no|without( any)?) (restrictions|limits|filters|guidelines|rules)\\b.{0,40}\\b(answer|respond|reply|comply)\\b"),
            Pattern.compile("\\b(vergiss|ignoriere|missachte)\\b.{0,40}\\b(anweisungen|regeln|vorgaben|richtlinien)\\b"),
            Pattern.compile("\\b(zeige|verrate|gib)\\b.{0,30}\\b(systemprompt|system-prompt|anweisungen)\\b"));

    private final double[] weights; // (DIMENSIONS) and a bias at the end

    private InjectionDetector(double[] weights) {
        this.weights = weights;
    }

    /** Trained on the shipped examples. */
    public static InjectionDetector trained() {
        return trained(null);
    }

    /** Trained on the shipped examples and, when not null, the deployment's own ({@code {"text","label"}} per line). */
    public static InjectionDetector trained(java.nio.file.Path extra) {
        List<String> texts = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        try (InputStream in = InjectionDetector.class.getResourceAsStream("/guardrail/injection-seed.jsonl")) {
            if (in == null) {
                throw new IllegalStateException("guardrail/injection-seed.jsonl is missing from the classpath");
            }
            read(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)), "the shipped examples", texts, labels);
            if (extra != null) {
                try (BufferedReader reader = java.nio.file.Files.newBufferedReader(extra)) {
                    read(reader, extra.toString(), texts, labels);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the prompt-injection examples: " + e.getMessage(), e);
        }
        return train(texts, labels.stream().mapToInt(Integer::intValue).toArray());
    }

    private static void read(BufferedReader reader, String source, List<String> texts, List<Integer> labels) throws IOException {
        JsonMapper json = JsonMapper.builder().build();
        int number = 0;
        for (String line; (line = reader.readLine()) != null; ) {
            number++;
            if (line.isBlank()) {
                continue;
            }
            JsonNode row = json.readTree(line);
            if (!row.path("text").isString() || !(row.path("label").asInt(-1) == 0 || row.path("label").asInt(-1) == 1)) {
                throw new IllegalStateException(source + " line " + number + ": each line must be {\"text\": string, \"label\": 0 or 1}");
            }
            texts.add(row.get("text").asString());
            labels.add(row.get("label").asInt());
        }
    }

    /** Logistic regression by full-batch gradient descent on normalised embeddings (convex; 2,000 steps). */
    static InjectionDetector train(List<String> texts, int[] labels) {
        List<float[]> vectors = SentenceEmbeddings.embedAll(texts);
        int d = SentenceEmbeddings.DIMENSIONS;
        double[] w = new double[d + 1];
        double lambda = 1e-3;
        double rate = 2.0;
        int n = vectors.size();
        double positives = 0;
        for (int label : labels) {
            positives += label;
        }
        double positiveWeight = positives == 0 ? 1 : (n - positives) / positives; // balance the classes
        for (int step = 0; step < 2000; step++) {
            double[] gradient = new double[d + 1];
            for (int i = 0; i < n; i++) {
                double error = sigmoid(dot(w, vectors.get(i))) - labels[i];
                double weight = labels[i] == 1 ? positiveWeight : 1;
                for (int j = 0; j < d; j++) {
                    gradient[j] += weight * error * vectors.get(i)[j];
                }
                gradient[d] += weight * error;
            }
            for (int j = 0; j <= d; j++) {
                w[j] -= rate * (gradient[j] / n + (j < d ? lambda * w[j] : 0));
            }
        }
        return new InjectionDetector(w);
    }

    private static double dot(double[] w, float[] x) {
        double sum = w[w.length - 1];
        for (int j = 0; j < x.length; j++) {
            sum += w[j] * x[j];
        }
        return sum;
    }

    private static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Set<Stage> stages() {
        return EnumSet.of(Stage.INPUT, Stage.CONTEXT);
    }

    /** The classifier's probability for one text (no heuristics). */
    double probability(String text) {
        return sigmoid(dot(weights, SentenceEmbeddings.embed(text)));
    }

    static double heuristic(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        for (Pattern pattern : HEURISTICS) {
            if (pattern.matcher(lower).find()) {
                return 0.9;
            }
        }
        return 0;
    }

    @Override
    public List<Finding> scan(CharSequence text) {
        String all = text.toString();
        if (all.isBlank()) {
            return List.of();
        }
        List<int[]> windows = new ArrayList<>();
        for (int start = 0; start < all.length(); start += STEP) {
            windows.add(new int[] {start, Math.min(all.length(), start + WINDOW)});
            if (start + WINDOW >= all.length()) {
                break;
            }
        }
        List<String> pieces = windows.stream().map(w -> all.substring(w[0], w[1])).toList();
        List<float[]> vectors = SentenceEmbeddings.embedEach(pieces); // null: nothing in the window to embed
        double best = -1;
        int[] where = null;
        for (int i = 0; i < pieces.size(); i++) {
            double score = Math.max(heuristic(pieces.get(i)), vectors.get(i) == null ? 0 : sigmoid(dot(weights, vectors.get(i))));
            if (score > best) {
                best = score;
                where = windows.get(i);
            }
        }
        return List.of(new Finding(ID, EntityType.PROMPT_INJECTION, where[0], where[1], Math.min(1, Math.max(0, best))));
    }
}
