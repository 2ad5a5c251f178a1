package ai.ensemble.guardrail.internal;

import ai.ensemble.guardrail.Detector;
import ai.ensemble.guardrail.Finding;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A detector that proposes candidates with a regular expression and checks each with a validator. */
abstract class PatternDetector implements Detector {

    private final String id;
    private final Pattern pattern;

    PatternDetector(String id, Pattern pattern) {
        this.id = id;
        this.pattern = pattern;
    }

    @Override
    public final String id() {
        return id;
    }

    @Override
    public List<Finding> scan(CharSequence text) {
        return scanEveryPosition(text);
    }

    /**
     * The pattern tried at every position of the text. Detectors that override {@link #scan} to
     * try it only where a candidate can start must find the same; a test holds them to it.
     */
    final List<Finding> scanEveryPosition(CharSequence text) {
        List<Finding> findings = new ArrayList<>();
        Matcher matcher = pattern.matcher(text);
        while (matcher.find()) {
            Finding finding = validate(matcher, text);
            if (finding != null) {
                findings.add(finding);
            }
        }
        return findings;
    }

    /** The finding for this candidate, or null where the validator rejects it. */
    abstract Finding validate(Matcher candidate, CharSequence text);

    static double clamp(double score) {
        return Math.max(0, Math.min(1, score));
    }
}
