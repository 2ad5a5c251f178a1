package ai.ensemble.console.web;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import ai.ensemble.rag.Passage;
import ai.ensemble.rag.Retrieval;
import ai.ensemble.shared.ApiException;
import ai.ensemble.security.Callers;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * "Test a query" on a knowledge base's page: the passages that the chat path's retrieval returns for
 * the signed-in administrator, ranked, with the query's words marked in each passage. Searches this
 * knowledge base, or every one the administrator may read (what a chat request naming none would
 * search if the expert used them all). Nothing is stored, so a GET.
 */
@Controller
class KnowledgeBaseQueryController {

    /** A run of passage text, marked when it is one of the query's words. */
    record Segment(String text, boolean match) {
    }

    record Ranked(int rank, Passage passage, List<Segment> segments) {
    }

    static final int TOP_K = 5;
    private static final Set<String> IGNORED = Set.of("the", "and", "for", "are", "was", "what", "when", "where", "which", "who",
            "how", "why", "does", "with", "that", "this", "from", "into", "our", "you", "your", "can", "not");

    private final Retrieval retrieval;

    KnowledgeBaseQueryController(Retrieval retrieval) {
        this.retrieval = retrieval;
    }

    @GetMapping("/console/kbs/{id}/query")
    String query(@PathVariable String id, @RequestParam(defaultValue = "") String q, @RequestParam(defaultValue = "this") String scope,
                 Model model, HttpServletResponse response) {
        model.addAttribute("q", q);
        try {
            List<Passage> passages = retrieval.retrieve(Callers.current(), q, scope.equals("all") ? null : List.of(id), TOP_K);
            Pattern words = words(q);
            List<Ranked> ranked = new ArrayList<>();
            for (int i = 0; i < passages.size(); i++) {
                ranked.add(new Ranked(i + 1, passages.get(i), segments(passages.get(i).text(), words)));
            }
            model.addAttribute("passages", ranked);
        } catch (ApiException e) {
            response.setStatus(e.error().status().value());
            model.addAttribute("error", e.error().message());
        }
        return "console/kb-passages :: passages";
    }

    /** The query's words of three letters or more, common question words aside, matched as word prefixes (clean → cleaned). */
    static Pattern words(String query) {
        String alternatives = Pattern.compile("[^\\p{L}\\p{N}]+").splitAsStream(query.toLowerCase())
                .filter(w -> w.length() >= 3 && !IGNORED.contains(w)).distinct().map(Pattern::quote).collect(Collectors.joining("|"));
        return alternatives.isEmpty() ? null : Pattern.compile("(?iu)(?<![\\p{L}\\p{N}])(?:" + alternatives + ")[\\p{L}\\p{N}]*");
    }

    static List<Segment> segments(String text, Pattern words) {
        List<Segment> segments = new ArrayList<>();
        if (words == null) {
            segments.add(new Segment(text, false));
            return segments;
        }
        Matcher matcher = words.matcher(text);
        int at = 0;
        while (matcher.find()) {
            if (matcher.start() > at) {
                segments.add(new Segment(text.substring(at, matcher.start()), false));
            }
            segments.add(new Segment(matcher.group(), true));
            at = matcher.end();
        }
        if (at < text.length()) {
            segments.add(new Segment(text.substring(at), false));
        }
        return segments;
    }
}
