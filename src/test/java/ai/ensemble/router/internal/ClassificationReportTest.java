package ai.ensemble.router.internal;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ClassificationReportTest {

    @Test
    void computesAccuracyMacroF1AndTheConfusionMatrixByHand() {
        // truth:     a a a b b c
        // predicted: a a b b c c   (one fallback)
        ClassificationReport report = ClassificationReport.of(List.of("a", "a", "a", "b", "b", "c"),
                List.of("a", "a", "b", "b", "c", "c"), List.of(false, false, false, false, true, false));

        assertThat(report.accuracy()).isCloseTo(4 / 6.0, within(1e-4));
        assertThat(report.fallbackRate()).isCloseTo(1 / 6.0, within(1e-4));
        assertThat(report.confusionMatrix()).isEqualTo(Map.of("a", Map.of("a", 2, "b", 1), "b", Map.of("b", 1, "c", 1),
                "c", Map.of("c", 1)));
        // a: p=1, r=2/3, f1=0.8; b: p=1/2, r=1/2, f1=0.5; c: p=1/2, r=1, f1=2/3
        assertThat(report.perExpert().get("a").f1()).isCloseTo(0.8, within(1e-4));
        assertThat(report.macroF1()).isCloseTo((0.8 + 0.5 + 2 / 3.0) / 3, within(1e-4));
    }
}
