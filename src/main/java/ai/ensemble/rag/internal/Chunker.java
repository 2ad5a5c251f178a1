package ai.ensemble.rag.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits a document into chunks along its structure. Text is read as light Markdown (what the
 * extractor produces for every format): {@code #} headings open sections, blank lines separate
 * paragraphs. A chunk never spans two sections; within a section sentences are packed up to the
 * target size, breaking preferably between paragraphs, and each chunk after the first repeats the
 * last sentences of the one before it, up to the overlap. A sentence longer than the target is cut
 * between words. Sizes are in characters.
 */
final class Chunker {

    record Chunk(int position, String title, String text) {
    }

    private record Unit(String text, boolean startsParagraph) {
    }

    private static final Pattern HEADING = Pattern.compile("^(#{1,6})\\s+(.+?)\\s*#*\\s*$");
    private static final Pattern SENTENCE_END = Pattern.compile("(?<=[.!?])[\"')\\]]?\\s+(?=[\\p{Lu}\\p{N}\"'(\\[])");

    private final int target;
    private final int overlap;

    Chunker(int target, int overlap) {
        if (target < 50 || overlap < 0 || overlap * 2 > target) {
            throw new IllegalArgumentException("target " + target + ", overlap " + overlap);
        }
        this.target = target;
        this.overlap = overlap;
    }

    @Override
    public String toString() {
        return "chunker(target=" + target + ", overlap=" + overlap + ")";
    }

    List<Chunk> chunk(String documentTitle, String text) {
        List<Chunk> chunks = new ArrayList<>();
        List<String> headings = new ArrayList<>();
        List<String> paragraphs = new ArrayList<>();
        StringBuilder paragraph = new StringBuilder();
        for (String line : text.replace("\r\n", "\n").split("\n", -1)) {
            Matcher heading = HEADING.matcher(line.strip());
            if (heading.matches()) {
                endParagraph(paragraph, paragraphs);
                emitSection(sectionTitle(documentTitle, headings), paragraphs, chunks);
                int level = heading.group(1).length();
                while (headings.size() >= level) {
                    headings.removeLast();
                }
                while (headings.size() < level - 1) {
                    headings.add("");
                }
                headings.add(heading.group(2).strip());
            } else if (line.isBlank()) {
                endParagraph(paragraph, paragraphs);
            } else {
                if (!paragraph.isEmpty()) {
                    paragraph.append(' ');
                }
                paragraph.append(line.strip());
            }
        }
        endParagraph(paragraph, paragraphs);
        emitSection(sectionTitle(documentTitle, headings), paragraphs, chunks);
        return chunks;
    }

    private static void endParagraph(StringBuilder paragraph, List<String> paragraphs) {
        if (!paragraph.isEmpty()) {
            paragraphs.add(paragraph.toString());
            paragraph.setLength(0);
        }
    }

    private static String sectionTitle(String documentTitle, List<String> headings) {
        List<String> path = headings.stream().filter(h -> !h.isEmpty()).toList();
        return path.isEmpty() ? documentTitle : String.join(" › ", path);
    }

    private void emitSection(String title, List<String> paragraphs, List<Chunk> chunks) {
        List<Unit> units = new ArrayList<>();
        for (String paragraph : paragraphs) {
            boolean first = true;
            for (String sentence : SENTENCE_END.split(paragraph)) {
                for (String piece : cutLong(sentence.strip())) {
                    units.add(new Unit(piece, first));
                    first = false;
                }
            }
        }
        paragraphs.clear();
        List<Unit> current = new ArrayList<>();
        int length = 0;
        for (int i = 0; i < units.size(); i++) {
            Unit unit = units.get(i);
            boolean fits = length + 1 + unit.text().length() <= target;
            boolean paragraphWouldSplit = unit.startsParagraph() && length >= target / 2
                    && length + paragraphLength(units, i) > target;
            if (!current.isEmpty() && (!fits || paragraphWouldSplit)) {
                chunks.add(new Chunk(chunks.size(), title, join(current)));
                current = overlapOf(current, unit);
                length = join(current).length();
            }
            current.add(unit);
            length += (current.size() > 1 ? 2 : 0) + unit.text().length();
        }
        if (!current.isEmpty()) {
            chunks.add(new Chunk(chunks.size(), title, join(current)));
        }
    }

    /** The tail sentences of a finished chunk that the next one repeats, leaving room for {@code next}. */
    private List<Unit> overlapOf(List<Unit> finished, Unit next) {
        List<Unit> tail = new ArrayList<>();
        int length = 0;
        for (int i = finished.size() - 1; i >= 0; i--) {
            int added = finished.get(i).text().length() + 1;
            if (length + added > overlap || length + added + next.text().length() > target) {
                break;
            }
            tail.addFirst(finished.get(i));
            length += added;
        }
        return tail;
    }

    private static int paragraphLength(List<Unit> units, int start) {
        int length = units.get(start).text().length();
        for (int i = start + 1; i < units.size() && !units.get(i).startsParagraph(); i++) {
            length += 1 + units.get(i).text().length();
        }
        return length;
    }

    private static String join(List<Unit> units) {
        StringBuilder text = new StringBuilder();
        for (Unit unit : units) {
            if (!text.isEmpty()) {
                text.append(unit.startsParagraph() ? "\n\n" : " ");
            }
            text.append(unit.text());
        }
        return text.toString();
    }

    /** A sentence longer than the target, cut between words (or anywhere, for a word that long). */
    private List<String> cutLong(String sentence) {
        if (sentence.length() <= target) {
            return sentence.isEmpty() ? List.of() : List.of(sentence);
        }
        List<String> pieces = new ArrayList<>();
        int start = 0;
        while (start < sentence.length()) {
            int end = Math.min(sentence.length(), start + target);
            if (end < sentence.length()) {
                int space = sentence.lastIndexOf(' ', end);
                if (space > start) {
                    end = space;
                }
            }
            pieces.add(sentence.substring(start, end).strip());
            start = end;
            while (start < sentence.length() && sentence.charAt(start) == ' ') {
                start++;
            }
        }
        return pieces;
    }
}
