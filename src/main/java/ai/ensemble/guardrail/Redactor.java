package ai.ensemble.guardrail;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Runs detectors over a text, judges their findings with an {@link ActionPolicy} and replaces the
 * spans to redact with typed placeholders from the request's {@link RedactionContext}.
 *
 * <p>Overlapping spans to redact are settled deterministically: the longest span wins, then the
 * higher score, then the earlier start, then the entity type's declaration order, then the
 * detector's id; a span that overlaps one already chosen is dropped (its characters are redacted by
 * the winner anyway). BLOCK and FLAG verdicts are all kept, since they do not change the text.
 */
public final class Redactor {

    /** The order in which overlapping redactions are chosen: the first wins. */
    static final Comparator<Verdict> PRIORITY = Comparator
            .comparingInt((Verdict verdict) -> -verdict.finding().length())
            .thenComparingDouble(verdict -> -verdict.finding().score())
            .thenComparingInt(verdict -> verdict.finding().start())
            .thenComparing(verdict -> verdict.finding().type())
            .thenComparing(verdict -> verdict.finding().detector());

    static final Comparator<Verdict> POSITION = Comparator
            .comparingInt((Verdict verdict) -> verdict.finding().start())
            .thenComparingInt(verdict -> verdict.finding().end())
            .thenComparing(verdict -> verdict.finding().type())
            .thenComparing(verdict -> verdict.finding().detector());

    private final List<Detector> detectors;
    private final ActionPolicy policy;

    public Redactor(List<? extends Detector> detectors, ActionPolicy policy) {
        this.detectors = List.copyOf(detectors);
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    /** A redactor with those of {@code detectors} that apply to {@code stage}. */
    public static Redactor forStage(Stage stage, List<? extends Detector> detectors, ActionPolicy policy) {
        return new Redactor(detectors.stream().filter(detector -> detector.stages().contains(stage)).toList(), policy);
    }

    public List<Detector> detectors() {
        return detectors;
    }

    public ActionPolicy policy() {
        return policy;
    }

    /** The verdicts for {@code text} without changing it: the redactions that would apply, and all BLOCK and FLAG verdicts. */
    public List<Verdict> evaluate(CharSequence text) {
        return resolve(judge(text));
    }

    /** {@code text} with every REDACT verdict replaced by its placeholder. */
    public Redaction redact(CharSequence text, RedactionContext context) {
        List<Verdict> verdicts = evaluate(text);
        return new Redaction(apply(text, 0, text.length(), verdicts, context), verdicts);
    }

    /** Every finding of every detector that the policy does not ignore, unresolved. */
    List<Verdict> judge(CharSequence text) {
        List<Verdict> verdicts = new ArrayList<>();
        for (Detector detector : detectors) {
            for (Finding finding : detector.scan(text)) {
                policy.judge(finding).ifPresent(verdicts::add);
            }
        }
        return verdicts;
    }

    /** Settles overlapping redactions (see the class comment); the result is sorted by position. */
    static List<Verdict> resolve(List<Verdict> verdicts) {
        List<Verdict> redactions = new ArrayList<>();
        List<Verdict> result = new ArrayList<>();
        for (Verdict verdict : verdicts) {
            (verdict.action() == Action.REDACT ? redactions : result).add(verdict);
        }
        redactions.sort(PRIORITY);
        TreeMap<Integer, Verdict> chosen = new TreeMap<>();
        for (Verdict candidate : redactions) {
            Finding finding = candidate.finding();
            Map.Entry<Integer, Verdict> before = chosen.lowerEntry(finding.end());
            if (before == null || before.getValue().finding().end() <= finding.start()) {
                chosen.put(finding.start(), candidate);
            }
        }
        result.addAll(chosen.values());
        result.sort(POSITION);
        return result;
    }

    /**
     * {@code text[from, to)} with the REDACT verdicts among {@code verdicts} (non-overlapping, inside
     * the range, sorted by position) replaced by placeholders, allocated left to right.
     */
    static String apply(CharSequence text, int from, int to, List<Verdict> verdicts, RedactionContext context) {
        StringBuilder out = new StringBuilder(to - from);
        int at = from;
        for (Verdict verdict : verdicts) {
            if (verdict.action() != Action.REDACT) {
                continue;
            }
            Finding finding = verdict.finding();
            out.append(text, at, finding.start());
            out.append(context.placeholder(finding.type(), finding.value(text)));
            at = finding.end();
        }
        out.append(text, at, to);
        return out.toString();
    }
}
