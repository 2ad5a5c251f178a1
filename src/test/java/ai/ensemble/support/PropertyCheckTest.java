package ai.ensemble.support;

import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The property runner itself: it finds a planted failure, shrinks it to its core, and runs its share of tries. */
class PropertyCheckTest {

    @Test
    void aFailingInputIsShrunkToTheSmallestThatStillFails() {
        PropertyCheck<String> check = PropertyCheck.forAll("no double at-sign",
                        random -> "x".repeat(random.nextInt(200)) + "@@" + "y".repeat(random.nextInt(200)))
                .shrinkingWith(PropertyCheck::smallerStrings)
                .describedAs(PropertyCheck::abbreviate);
        assertThatThrownBy(() -> check.check(text -> assertThat(text).doesNotContain("@@")))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("failed on try 1 of")
                .hasMessageContaining("-Dfuzz.seed=")
                .hasMessageContaining("shrunk input: (2 chars) \"@@\"");
    }

    @Test
    void aPassingPropertyRunsItsShareOfTheTries() {
        AtomicInteger calls = new AtomicInteger();
        PropertyCheck<Integer> check = PropertyCheck.forAll("any int", random -> random.nextInt()).share(0.5);
        assertThat(check.check(value -> calls.incrementAndGet())).isEqualTo(check.tries());
        assertThat(calls.get()).isEqualTo(check.tries()).isEqualTo(Math.max(1, Math.round(Integer.getInteger("fuzz.tries", 100) * 0.5f)));
    }

    @Test
    void bytesShrinkLikeStrings() {
        assertThat(PropertyCheck.smallerBytes(new byte[] {1, 2, 3, 4})).first().isEqualTo(new byte[] {3, 4});
        assertThat(PropertyCheck.smallerStrings("abcd")).containsExactly("cd", "ab", "bcd", "acd", "abd", "abc");
        assertThat(PropertyCheck.abbreviate("a\"\ud800")).isEqualTo("(3 chars) \"a\\\"\\ud800\"");
    }
}
