package ai.ensemble.engine.tokenizer;

import org.junit.jupiter.api.Test;

import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Encode throughput on about 1 MB of text, one thread, printed for BENCHMARKS.md. Two inputs: the
 * fixture texts repeated (the piece cache hits almost always) and pseudo-random words (it almost
 * never does); real text lies between. A benchmark, so off by default:
 * {@code ./mvnw -q test -Dtest=TokenizerThroughputTest -Dbenchmark=true}.
 */
@EnabledIfSystemProperty(named = "benchmark", matches = "true")
class TokenizerThroughputTest {

    private static final int TARGET_BYTES = 1 << 20;

    @Test
    void encodesAMegabyteQuickly() {
        String repeated = repeatedFixtures();
        String randomWords = randomWords();
        for (String name : TokenizerFixtures.NAMES) {
            Tokenizer tokenizer = TokenizerFixtures.tokenizer(name);
            double fixtures = megabytesPerSecond(tokenizer, repeated);
            double words = megabytesPerSecond(tokenizer, randomWords);
            System.out.printf("tokenizer throughput %-7s repeated fixture texts %6.1f MB/s, random words %6.1f MB/s%n",
                    name, fixtures, words);
            assertTrue(fixtures > 1 && words > 1, name + " encodes slower than 1 MB/s"); // a floor, not a target
        }
    }

    /** The best of ten timed passes after three seconds of warm-up (the JIT compiles the loop late). */
    private static double megabytesPerSecond(Tokenizer tokenizer, String text) {
        double megabytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length / 1e6;
        long warm = System.nanoTime() + 3_000_000_000L;
        while (System.nanoTime() < warm) {
            tokenizer.encode(text);
        }
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 10; i++) {
            long start = System.nanoTime();
            tokenizer.encode(text);
            best = Math.min(best, System.nanoTime() - start);
        }
        return megabytes / (best / 1e9);
    }

    private static String repeatedFixtures() {
        String all = String.join("\n", TokenizerFixtures.texts()) + "\n";
        return all.repeat(TARGET_BYTES / all.length() + 1);
    }

    /** Words of random letters and lengths, with some digits and punctuation: few repeated pieces. */
    private static String randomWords() {
        Random random = new Random(42);
        StringBuilder text = new StringBuilder(TARGET_BYTES + 64);
        String letters = "abcdefghijklmnopqrstuvwxyzeeeaaoiinnrrsstt";
        while (text.length() < TARGET_BYTES) {
            int length = 1 + random.nextInt(10);
            for (int i = 0; i < length; i++) {
                text.append(letters.charAt(random.nextInt(letters.length())));
            }
            int r = random.nextInt(20);
            text.append(r == 0 ? ". " : r == 1 ? ", " : r == 2 ? "\n" : r == 3 ? " " + random.nextInt(10000) + " " : " ");
        }
        return text.toString();
    }
}
