package ai.ensemble.guardrail;

import java.util.Objects;

/**
 * One span a detector found: characters {@code [start, end)} of the scanned text, with a score in
 * {@code [0, 1]} (how sure the detector is; context words and validators raise it).
 */
public record Finding(String detector, EntityType type, int start, int end, double score) {

    public Finding {
        Objects.requireNonNull(detector, "detector");
        Objects.requireNonNull(type, "type");
        if (start < 0 || end <= start) {
            throw new IllegalArgumentException("finding span must satisfy 0 <= start < end, was [" + start + ", " + end + ")");
        }
        if (!(score >= 0 && score <= 1)) {
            throw new IllegalArgumentException("finding score must lie in [0, 1], was " + score);
        }
    }

    public int length() {
        return end - start;
    }

    public boolean overlaps(Finding other) {
        return start < other.end && other.start < end;
    }

    /** The same finding with its offsets moved by {@code delta} (from a window into the whole text). */
    public Finding shifted(int delta) {
        return new Finding(detector, type, start + delta, end + delta, score);
    }

    /** The characters this finding covers in {@code text}. */
    public String value(CharSequence text) {
        return text.subSequence(start, end).toString();
    }
}
