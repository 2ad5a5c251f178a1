package ai.ensemble.rag;

import java.util.List;

/** Renders retrieved passages for a prompt, numbered so that the answer can cite them as [1], [2], …. */
public final class Passages {

    private Passages() {
    }

    /**
     * A block for the system prompt: an instruction to cite, then each passage as
     * {@code [n] title — section} followed by its text. Empty when there are no passages.
     */
    public static String promptBlock(List<Passage> passages) {
        if (passages.isEmpty()) {
            return "";
        }
        StringBuilder block = new StringBuilder(
                "Answer from the numbered sources below where they are relevant, and cite them as [1], [2], ….\n"
                        + "If they do not contain the answer, say so.\n");
        for (int i = 0; i < passages.size(); i++) {
            Passage passage = passages.get(i);
            block.append("\n[").append(i + 1).append("] ").append(passage.title());
            if (!passage.section().isBlank() && !passage.section().equals(passage.title())) {
                block.append(" — ").append(passage.section());
            }
            block.append('\n').append(passage.text().strip()).append('\n');
        }
        return block.toString();
    }

    /** The citations in marker order: element {@code n - 1} is what {@code [n]} refers to. */
    public static List<Citation> citations(List<Passage> passages) {
        return passages.stream().map(Passage::citation).toList();
    }
}
