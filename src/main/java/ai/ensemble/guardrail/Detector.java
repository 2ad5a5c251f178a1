package ai.ensemble.guardrail;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Finds one kind of sensitive data in text. Implementations are stateless and thread-safe.
 *
 * <p>For the {@link StreamScanner} to give the same answer on a stream as on the whole text, a
 * detector's decision about a span may look at most {@link StreamScanner.Settings#holdBack()}
 * characters to the left of it and, counting the span itself, at most as many to the right. Longer
 * findings are allowed in two shapes: a run of non-whitespace characters (a JWT, a long token),
 * or a finding that runs to the end of the text while its closing part has not arrived (a PEM block
 * whose END line is still missing).
 */
public interface Detector {

    /** A stable name, used in configuration and audit records ({@code "email"}, {@code "credit-card"}). */
    String id();

    /** The stages this detector applies to; both by default. */
    default Set<Stage> stages() {
        return EnumSet.allOf(Stage.class);
    }

    /** Every span of {@code text} this detector finds, in no particular order. */
    List<Finding> scan(CharSequence text);
}
