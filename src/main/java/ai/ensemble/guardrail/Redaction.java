package ai.ensemble.guardrail;

import java.util.List;

/** The redacted text and every verdict behind it, in order of position. */
public record Redaction(String text, List<Verdict> verdicts) {

    public Redaction {
        verdicts = List.copyOf(verdicts);
    }

    /** Whether a verdict says BLOCK: the request must be refused, whatever the redacted text says. */
    public boolean blocked() {
        return verdicts.stream().anyMatch(verdict -> verdict.action() == Action.BLOCK);
    }
}
