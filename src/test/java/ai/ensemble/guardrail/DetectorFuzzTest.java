package ai.ensemble.guardrail;

import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Fuzzes every built-in detector, the redactor and the stream scanner for a fixed time (default 3 s;
 * {@code -Dfuzz.seconds=600} for a long run) with random texts built from the pieces detectors look
 * for (digits and separators, '@', key prefixes, PEM lines, JWT-like runs, context words) and random
 * noise: no exception escapes, every finding lies inside the text, nothing takes long, and the
 * stream scanner releases exactly the whole-text redaction for a random chunking.
 */
class DetectorFuzzTest {

    private static final List<String> PIECES = List.of("4111 1111 1111 1111", "DE89 3704 0044 0532 0130 00", "123-45-6789",
            "ann@example.com", "@", ".", "-", "+49 30 1234567", "192.168.0.1", "::1", "2001:db8::1", "born on 12/03/1985",
            "AKIA", "ASIA", "AIza", "-----BEGIN PRIVATE KEY-----", "-----END PRIVATE KEY-----", "eyJhbGciOiJIUzI1NiJ9",
            "Authorization: Bearer ", "password=", "api_key: ", "AccountKey=", "\"private_key\": \"", "Mr. ", "my name is ",
            "221B Baker Street", "Hauptstraße 5", "P.O. Box 12", "\n", " ", "\t", "Ω", "😀", "0", "9", "x", "==", "/", "_");

    @Test
    void detectorsRedactorAndStreamScannerSurviveRandomText() {
        long budget = Long.getLong("fuzz.seconds", 3) * 1_000_000_000L;
        long seed = Long.getLong("fuzz.seed", System.nanoTime());
        SplittableRandom random = new SplittableRandom(seed);
        Redactor redactor = new Redactor(Detectors.all(), ActionPolicy.redactAll());
        long start = System.nanoTime();
        long slowest = 0;
        int texts = 0;
        while (System.nanoTime() - start < budget) {
            String text = text(random);
            long began = System.nanoTime();
            try {
                for (Detector detector : Detectors.all()) {
                    for (Finding finding : detector.scan(text)) {
                        assertThat(finding.end()).as("%s in %s", finding, text).isLessThanOrEqualTo(text.length());
                    }
                }
                String whole = redactor.redact(text, new RedactionContext()).text();
                StreamScanner scanner = new StreamScanner(redactor, new RedactionContext());
                StringBuilder released = new StringBuilder();
                for (int at = 0; at < text.length(); ) {
                    int end = Math.min(text.length(), at + 1 + random.nextInt(40));
                    released.append(scanner.accept(text.substring(at, end)).text());
                    at = end;
                }
                released.append(scanner.finish().text());
                assertThat(released.toString()).as("seed %d, stream vs whole for %s", seed, text).isEqualTo(whole);
            } catch (RuntimeException | StackOverflowError e) {
                fail("seed " + seed + ": " + e + " for text " + text, e);
            }
            slowest = Math.max(slowest, System.nanoTime() - began);
            texts++;
        }
        System.out.printf("detector fuzz: seed %d, %d texts, slowest %.1f ms%n", seed, texts, slowest / 1e6);
        assertThat(texts).isPositive();
        assertThat(slowest).as("no text may take a second").isLessThan(1_000_000_000L);
    }

    private static String text(SplittableRandom random) {
        StringBuilder text = new StringBuilder();
        int parts = random.nextInt(60);
        for (int i = 0; i < parts; i++) {
            if (random.nextInt(3) == 0) {
                int n = 1 + random.nextInt(20);
                for (int j = 0; j < n; j++) {
                    text.append((char) (random.nextInt(4) == 0 ? 0x20 + random.nextInt(95) : 'a' + random.nextInt(26)));
                }
            } else {
                text.append(PIECES.get(random.nextInt(PIECES.size())));
            }
        }
        return text.toString();
    }
}
