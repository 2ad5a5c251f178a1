package ai.ensemble.policy.internal;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A denied topic with the real embedding model: paraphrases score well above unrelated questions. */
class TopicDetectorTest {

    @Test
    void aParaphraseOfTheTopicScoresAboveUnrelatedQuestions() {
        TopicDetector salaries = new TopicDetector("salary-data", List.of("Questions about colleagues' salaries and pay",
                "How much does my colleague earn?", "What is the salary of the head of sales?"));
        double paraphrase = salaries.scan("How much does Maria in accounting earn a year?").getFirst().score();
        double unrelated = salaries.scan("What is the capital of Australia?").getFirst().score();
        double nearMiss = salaries.scan("How do I submit my timesheet?").getFirst().score();
        System.out.printf("topic scores: paraphrase %.3f, near miss %.3f, unrelated %.3f%n", paraphrase, nearMiss, unrelated);
        assertThat(salaries.id()).isEqualTo("topic:salary-data");
        assertThat(paraphrase).isGreaterThanOrEqualTo(0.5).isGreaterThan(nearMiss + 0.1);
        assertThat(unrelated).isLessThan(0.3);
    }

    /** Text the embedding model finds nothing in (found by the property tests for routing and retrieval). */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {" ", "\u200b\u200b", "\u0000", "\t\n", "\u200b\u0000 \u2060"})
    void textWithNothingToEmbedIsScannedWithoutFailing(String text) {
        TopicDetector salaries = new TopicDetector("salary-data", List.of("Questions about colleagues' salaries and pay"));
        assertThat(salaries.scan(text)).allSatisfy(finding -> assertThat(finding.score()).isLessThan(0.5));
        assertThat(InjectionDetector.trained().scan(text)).allSatisfy(finding -> assertThat(finding.score()).isLessThan(0.5));
    }
}
