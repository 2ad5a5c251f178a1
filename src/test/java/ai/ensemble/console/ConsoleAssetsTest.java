package ai.ensemble.console;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console's style sheets parse as blocks: an unclosed {@code @media} block silently confines
 * every later rule to narrow windows (a merge once did exactly that).
 */
class ConsoleAssetsTest {

    private static final Path STATIC = Path.of("src/main/resources/static/console");

    @Test
    void everyStyleSheetClosesEveryBlockItOpens() throws IOException {
        List<Path> sheets;
        try (Stream<Path> files = Files.list(STATIC)) {
            sheets = files.filter(p -> p.toString().endsWith(".css")).toList();
        }
        assertThat(sheets).isNotEmpty();
        for (Path sheet : sheets) {
            String css = Files.readString(sheet).replaceAll("(?s)/\\*.*?\\*/", "");
            java.util.ArrayDeque<Boolean> open = new java.util.ArrayDeque<>(); // per open block: is it an at-rule's?
            int line = 1;
            int preludeStart = 0;
            for (int i = 0; i < css.length(); i++) {
                char c = css.charAt(i);
                if (c == '\n') {
                    line++;
                } else if (c == '{') {
                    boolean atRule = css.substring(preludeStart, i).strip().startsWith("@");
                    // a style rule may sit only at the top or inside an at-rule (@media, @supports)
                    assertThat(open.isEmpty() || open.peek())
                            .as("%s line %d: a rule opens inside another rule (an unclosed block above?)", sheet, line).isTrue();
                    open.push(atRule);
                    preludeStart = i + 1;
                } else if (c == '}') {
                    assertThat(open).as("%s line %d: a '}' closes nothing", sheet, line).isNotEmpty();
                    open.pop();
                    preludeStart = i + 1;
                } else if (c == ';') {
                    preludeStart = i + 1;
                }
            }
            assertThat(open).as("%s: blocks left open at the end", sheet).isEmpty();
        }
    }
}
