package ai.ensemble.router.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Accuracy, macro-F1 (the unweighted mean of each label's F1, over every label that occurs as truth
 * or prediction), the confusion matrix (truth → predicted → count) and the share of fallbacks.
 */
public record ClassificationReport(int count, double accuracy, double macroF1, double fallbackRate,
                                   Map<String, Map<String, Integer>> confusionMatrix, Map<String, LabelScores> perExpert) {

    public record LabelScores(int support, double precision, double recall, double f1) {
    }

    static ClassificationReport of(List<String> truth, List<String> predicted, List<Boolean> fallbacks) {
        int n = truth.size();
        Map<String, Map<String, Integer>> confusion = new TreeMap<>();
        TreeSet<String> labels = new TreeSet<>();
        int correct = 0;
        int fellBack = 0;
        for (int i = 0; i < n; i++) {
            labels.add(truth.get(i));
            labels.add(predicted.get(i));
            confusion.computeIfAbsent(truth.get(i), t -> new TreeMap<>()).merge(predicted.get(i), 1, Integer::sum);
            correct += truth.get(i).equals(predicted.get(i)) ? 1 : 0;
            fellBack += fallbacks.get(i) ? 1 : 0;
        }
        Map<String, LabelScores> perLabel = new LinkedHashMap<>();
        double f1Sum = 0;
        for (String label : labels) {
            int truePositives = 0;
            int predictedCount = 0;
            int support = 0;
            for (int i = 0; i < n; i++) {
                boolean isTruth = truth.get(i).equals(label);
                boolean isPredicted = predicted.get(i).equals(label);
                support += isTruth ? 1 : 0;
                predictedCount += isPredicted ? 1 : 0;
                truePositives += isTruth && isPredicted ? 1 : 0;
            }
            double precision = predictedCount == 0 ? 0 : (double) truePositives / predictedCount;
            double recall = support == 0 ? 0 : (double) truePositives / support;
            double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            perLabel.put(label, new LabelScores(support, round(precision), round(recall), round(f1)));
            f1Sum += f1;
        }
        return new ClassificationReport(n, n == 0 ? 0 : round((double) correct / n),
                labels.isEmpty() ? 0 : round(f1Sum / labels.size()), n == 0 ? 0 : round((double) fellBack / n), confusion, perLabel);
    }

    private static double round(double value) {
        return Math.round(value * 10_000) / 10_000.0;
    }
}
