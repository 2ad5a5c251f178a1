package ai.ensemble.console.web;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import ai.ensemble.policy.PolicyAdministration;

/**
 * A screened text cut into pieces for display: the spans findings cover become marked pieces
 * (overlapping findings share one piece, labelled with every type that covers it), the rest plain.
 * The page escapes each piece, so a text can never inject markup.
 */
final class Highlights {

    /** A piece of the text; {@code label} is null for plain text, else the types found there. */
    record Piece(String text, String label) {
        public boolean marked() {
            return label != null;
        }
    }

    /** One policy's pass as the test result shows it. */
    record StepView(String policy, boolean blocked, List<Piece> pieces, List<PolicyAdministration.Finding> findings,
                    String screened) {
        public String matched(PolicyAdministration.Finding finding) {
            return screened.substring(finding.start(), finding.end());
        }
    }

    private Highlights() {
    }

    static List<StepView> of(PolicyAdministration.TestResult result) {
        return result.steps().stream().map(step -> new StepView(step.policy(), step.blocked(),
                pieces(step.screened(), step.findings()), step.findings(), step.screened())).toList();
    }

    static List<Piece> pieces(String text, List<PolicyAdministration.Finding> findings) {
        TreeSet<Integer> cuts = new TreeSet<>(List.of(0, text.length()));
        for (PolicyAdministration.Finding finding : findings) {
            cuts.add(Math.min(finding.start(), text.length()));
            cuts.add(Math.min(finding.end(), text.length()));
        }
        List<Piece> pieces = new ArrayList<>();
        Integer from = cuts.first();
        for (Integer to = cuts.higher(from); to != null; from = to, to = cuts.higher(to)) {
            int start = from;
            int end = to;
            TreeSet<String> types = new TreeSet<>();
            findings.stream().filter(f -> f.start() < end && start < f.end()).forEach(f -> types.add(f.type()));
            String label = types.isEmpty() ? null : String.join(", ", types);
            Piece last = pieces.isEmpty() ? null : pieces.getLast();
            if (last != null && java.util.Objects.equals(last.label(), label)) {
                pieces.set(pieces.size() - 1, new Piece(last.text() + text.substring(start, end), label));
            } else {
                pieces.add(new Piece(text.substring(start, end), label));
            }
        }
        return pieces;
    }
}
