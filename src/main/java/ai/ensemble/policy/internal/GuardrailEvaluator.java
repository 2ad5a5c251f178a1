package ai.ensemble.policy.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import ai.ensemble.guardrail.EntityType;
import ai.ensemble.guardrail.Finding;
import ai.ensemble.guardrail.Redactor;
import ai.ensemble.guardrail.Verdict;

/**
 * Precision and recall of detectors on labelled texts ({@code POST /admin/api/guardrails/evaluate}).
 * Match rule: a finding matches a label when their character ranges overlap and the types are the
 * same. Per type: precision counts findings of the type that match a label, recall labels matched by
 * at least one finding. Per detector: its findings' precision, and the recall of the labels of the
 * types it reported.
 */
public final class GuardrailEvaluator {

    /** A labelled text: spans of known types. */
    public record Sample(String text, List<Label> labels) {
    }

    public record Label(EntityType type, int start, int end) {
    }

    private GuardrailEvaluator() {
    }

    public static Map<String, Object> evaluate(List<Redactor> redactors, List<Sample> samples) {
        Map<EntityType, int[]> byType = new TreeMap<>();   // {labels, labels found, findings, findings matched}
        Map<String, int[]> byDetector = new TreeMap<>();   // {findings, findings matched}
        for (Sample sample : samples) {
            List<Finding> findings = new ArrayList<>();
            for (Redactor redactor : redactors) {
                for (Verdict verdict : redactor.evaluate(sample.text())) {
                    findings.add(verdict.finding());
                }
            }
            for (Label label : sample.labels()) {
                int[] counts = byType.computeIfAbsent(label.type(), t -> new int[4]);
                counts[0]++;
                if (findings.stream().anyMatch(f -> matches(f, label))) {
                    counts[1]++;
                }
            }
            for (Finding finding : findings) {
                boolean matched = sample.labels().stream().anyMatch(label -> matches(finding, label));
                int[] type = byType.computeIfAbsent(finding.type(), t -> new int[4]);
                type[2]++;
                int[] detector = byDetector.computeIfAbsent(finding.detector(), d -> new int[2]);
                detector[0]++;
                if (matched) {
                    type[3]++;
                    detector[1]++;
                }
            }
        }
        Map<String, Object> types = new LinkedHashMap<>();
        byType.forEach((type, c) -> types.put(type.name().toLowerCase(Locale.ROOT), scores(c[0], c[1], c[2], c[3])));
        Map<String, Object> detectors = new LinkedHashMap<>();
        byDetector.forEach((detector, c) -> {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("findings", c[0]);
            entry.put("precision", c[0] == 0 ? null : round((double) c[1] / c[0]));
            detectors.put(detector, entry);
        });
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("samples", samples.size());
        out.put("matchRule", "a finding matches a label when the character ranges overlap and the types are equal");
        out.put("types", types);
        out.put("detectors", detectors);
        return out;
    }

    private static Map<String, Object> scores(int labels, int found, int findings, int matched) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("labels", labels);
        entry.put("findings", findings);
        Double precision = findings == 0 ? null : round((double) matched / findings);
        Double recall = labels == 0 ? null : round((double) found / labels);
        entry.put("precision", precision);
        entry.put("recall", recall);
        entry.put("f1", precision == null || recall == null || precision + recall == 0 ? null : round(2 * precision * recall / (precision + recall)));
        return entry;
    }

    private static boolean matches(Finding finding, Label label) {
        return finding.type() == label.type() && finding.start() < label.end() && label.start() < finding.end();
    }

    private static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }
}
