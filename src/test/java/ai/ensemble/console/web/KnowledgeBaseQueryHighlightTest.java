package ai.ensemble.console.web;

import java.util.List;
import java.util.regex.Pattern;

import ai.ensemble.console.web.KnowledgeBaseQueryController.Segment;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** How "test a query" marks the query's words in a passage. */
class KnowledgeBaseQueryHighlightTest {

    @Test
    void marksTheQueryWordsAsWordPrefixesIgnoringCaseAndQuestionWords() {
        Pattern words = KnowledgeBaseQueryController.words("When is the Aquarium clean?");
        List<Segment> segments = KnowledgeBaseQueryController.segments("The aquarium is cleaned; unclean aquariums are not.", words);
        assertThat(segments.stream().filter(Segment::match).map(Segment::text)).containsExactly("aquarium", "cleaned", "aquariums");
        assertThat(segments.stream().map(Segment::text).reduce("", String::concat)).isEqualTo("The aquarium is cleaned; unclean aquariums are not.");
    }

    @Test
    void leavesTheTextWholeWhenTheQueryHasNoWordToMark() {
        assertThat(KnowledgeBaseQueryController.words("is it? (a)")).isNull();
        assertThat(KnowledgeBaseQueryController.segments("Some text.", null)).containsExactly(new Segment("Some text.", false));
    }

    @Test
    void treatsRegexCharactersInTheQueryAsText() {
        Pattern words = KnowledgeBaseQueryController.words("c++ (node.js) [x]*");
        assertThat(KnowledgeBaseQueryController.segments("node and js", words).stream().filter(Segment::match).map(Segment::text))
                .containsExactly("node");
    }
}
