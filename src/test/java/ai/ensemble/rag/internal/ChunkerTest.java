package ai.ensemble.rag.internal;

import java.util.List;

import ai.ensemble.rag.internal.Chunker.Chunk;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ChunkerTest {

    private static String sentences(String word, int count) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < count; i++) {
            text.append("Sentence ").append(i).append(" talks about ").append(word).append(" at some length here. ");
        }
        return text.toString().strip();
    }

    @Test
    void headingsOpenSectionsAndTitleTheirChunks() {
        List<Chunk> chunks = new Chunker(400, 50).chunk("Handbook", """
                Preface text before any heading.

                # Expenses
                ## Meals
                Meals are reimbursed.

                # Travel
                Trains are preferred.""");

        assertThat(chunks).extracting(Chunk::title).containsExactly("Handbook", "Expenses › Meals", "Travel");
        assertThat(chunks).extracting(Chunk::position).containsExactly(0, 1, 2);
        assertThat(chunks.get(1).text()).isEqualTo("Meals are reimbursed.");
    }

    @Test
    void longSectionsSplitBetweenSentencesWithinTheTargetAndOverlap() {
        String text = sentences("bearings", 30);
        List<Chunk> chunks = new Chunker(300, 100).chunk("Doc", text);

        assertThat(chunks.size()).isGreaterThan(5);
        for (Chunk chunk : chunks) {
            assertThat(chunk.text().length()).isLessThanOrEqualTo(300);
            assertThat(chunk.text()).startsWith("Sentence ").endsWith(".");
        }
        for (int i = 1; i < chunks.size(); i++) {
            String previous = chunks.get(i - 1).text();
            String lastSentence = previous.substring(previous.lastIndexOf("Sentence "));
            assertThat(chunks.get(i).text()).as("chunk %d repeats the end of chunk %d", i, i - 1).startsWith(lastSentence);
        }
        String all = String.join(" ", chunks.stream().map(Chunk::text).toList());
        for (int i = 0; i < 30; i++) {
            assertThat(all).contains("Sentence " + i + " ");
        }
    }

    @Test
    void prefersBreakingBetweenParagraphs() {
        String first = sentences("alpha", 3);
        String second = sentences("beta", 3);
        // Each paragraph is ~160 characters: the first sentence of the second would still fit into a
        // 250-character chunk, but the whole paragraph would not, so the chunk ends at the paragraph.
        List<Chunk> chunks = new Chunker(250, 0).chunk("Doc", first + "\n\n" + second);

        assertThat(chunks).hasSize(2);
        assertThat(chunks.get(0).text()).isEqualTo(first);
        assertThat(chunks.get(1).text()).isEqualTo(second);
    }

    @Test
    void cutsASentenceLongerThanTheTargetBetweenWords() {
        String longSentence = "word ".repeat(200).strip();
        List<Chunk> chunks = new Chunker(200, 0).chunk("Doc", longSentence);

        assertThat(chunks.size()).isGreaterThanOrEqualTo(5);
        assertThat(chunks).allSatisfy(c -> {
            assertThat(c.text().length()).isLessThanOrEqualTo(200);
            assertThat(c.text()).matches("(word ?)+");
        });
    }
}
