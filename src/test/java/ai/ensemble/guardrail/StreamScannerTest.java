package ai.ensemble.guardrail;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StreamScannerTest {

    private static final FakeSecrets FAKE = new FakeSecrets(11);

    /** An answer with every kind of finding, some longer than the window (a PEM block, a JWT, an Azure key). */
    private static final String ANSWER = """
            Sure. Here is the customer record you asked for:
            Name: Jana Novak, born on 12/03/1980, SSN 536-22-1234.
            Write to jana.novak@example.com or call +44 20 7946 0958; the office is at 221B Baker Street, London NW1 6XE.
            Card 4111 1111 1111 1111 and IBAN GB82 WEST 1234 5698 7654 32 are on file. Her server is 10.20.30.40.
            Deployment settings:
              aws_access_key_id = %s
              aws_secret_access_key = %s
              AZURE=DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=%s;EndpointSuffix=core.windows.net
              curl -H "Authorization: Bearer %s" https://api.example.com
              db_password: %s
            and the signing key:
            %s
            A long checksum that is not a secret: %s
            Contact jana.novak@example.com again, or Dr. Okonkwo at 221B Baker Street. Version 1.2.3.4 is current.
            """.formatted(FAKE.awsAccessKeyId(), FAKE.awsSecretKey(), FAKE.azureStorageKey(), FAKE.jwt(), "Kx9!vQ2mZt#77",
            FAKE.pemPrivateKey("RSA ", 12, "\n"), FAKE.token(200));

    private final Redactor redactor = new Redactor(Detectors.all(), ActionPolicy.redactAll());

    @Test
    void releasedTextEqualsRedactionOfTheWholeAnswerForAnyChunking() {
        Redaction whole = redactor.redact(ANSWER, new RedactionContext());
        assertThat(whole.verdicts()).hasSizeGreaterThan(15);
        Random random = new Random(20261126);
        int[] maxChunks = {1, 2, 5, 17, 64, 300, 5000};
        for (int round = 0; round < 21; round++) {
            int maxChunk = maxChunks[round % maxChunks.length];
            StreamScanner scanner = new StreamScanner(redactor, new RedactionContext());
            StringBuilder out = new StringBuilder();
            List<Verdict> verdicts = new ArrayList<>();
            for (String chunk : chunks(ANSWER, maxChunk, random)) {
                StreamScanner.Emission emission = scanner.accept(chunk);
                out.append(emission.text());
                verdicts.addAll(emission.verdicts());
            }
            StreamScanner.Emission last = scanner.finish();
            out.append(last.text());
            verdicts.addAll(last.verdicts());

            assertThat(out.toString()).as("round %d, chunks up to %d characters", round, maxChunk).isEqualTo(whole.text());
            assertThat(scanner.released()).isEqualTo(whole.text());
            assertThat(verdicts).as("round %d", round).containsExactlyElementsOf(whole.verdicts());
        }
    }

    @Test
    void holdsBackTheWindowAndFlushesItOnFinish() {
        StreamScanner scanner = new StreamScanner(redactor, new RedactionContext());
        String text = "word ".repeat(20); // 100 characters: less than the window
        assertThat(scanner.accept(text).text()).isEmpty();
        assertThat(scanner.finish().text()).isEqualTo(text);
    }

    @Test
    void emailCutByAChunkBoundaryNeverLeavesInPart() {
        StreamScanner scanner = new StreamScanner(redactor, new RedactionContext());
        String before = "a".repeat(30) + " " + "b ".repeat(100) + "write to ann.lee@exa";
        String first = scanner.accept(before).text();
        assertThat(first).isNotEmpty().doesNotContain("ann");
        String rest = scanner.accept("mple.com today " + "c ".repeat(100)).text() + scanner.finish().text();
        assertThat(first + rest).contains("write to [EMAIL_1] today").doesNotContain("ann.lee");
    }

    @Test
    void blockStopsTheStreamBeforeTheSecretAndReportsWhatWasReleased() {
        ActionPolicy policy = ActionPolicy.of(Map.of(EntityType.PRIVATE_KEY, Action.BLOCK), Action.REDACT);
        Redactor blocking = new Redactor(Detectors.all(), policy);
        Redaction whole = blocking.redact(ANSWER, new RedactionContext());
        assertThat(whole.blocked()).isTrue();
        for (int round = 0; round < 8; round++) {
            StreamScanner scanner = new StreamScanner(blocking, new RedactionContext());
            StringBuilder received = new StringBuilder();
            boolean stopped = false;
            for (String chunk : chunks(ANSWER, 1 + round * 7, new Random(round))) {
                StreamScanner.Emission emission = scanner.accept(chunk);
                received.append(emission.text());
                if (emission.blocked()) {
                    assertThat(emission.text()).isEmpty();
                    if (!stopped) { // the emission that blocks names the verdict; later ones only repeat that the stream is blocked
                        assertThat(emission.verdicts()).anyMatch(verdict -> verdict.action() == Action.BLOCK);
                    }
                    stopped = true;
                }
            }
            StreamScanner.Emission last = scanner.finish();
            assertThat(last.blocked()).isTrue();
            assertThat(last.text()).isEmpty();
            assertThat(stopped || last.verdicts().stream().anyMatch(verdict -> verdict.action() == Action.BLOCK)).isTrue();
            assertThat(scanner.blocked()).isTrue();
            assertThat(scanner.released()).isEqualTo(received.toString()).doesNotContain("PRIVATE KEY");
            assertThat(whole.text()).startsWith(scanner.released());
        }
    }

    @Test
    void pemBlockLongerThanTheWindowIsRedactedWhole() {
        String pem = FAKE.pemPrivateKey("", 20, "\n");
        String answer = "Here you go:\n" + pem + "\nKeep it safe. " + "More words. ".repeat(20);
        StreamScanner scanner = new StreamScanner(redactor, new RedactionContext(), new StreamScanner.Settings(64, 8192, 8));
        StringBuilder out = new StringBuilder();
        for (String chunk : chunks(answer, 10, new Random(5))) {
            out.append(scanner.accept(chunk).text());
            assertThat(out.toString()).doesNotContain("BEGIN");
        }
        out.append(scanner.finish().text());
        assertThat(out.toString()).startsWith("Here you go:\n[PRIVATE_KEY_1]\nKeep it safe.");
    }

    @Test
    void verdictOffsetsPointIntoTheRawAnswer() {
        StreamScanner scanner = new StreamScanner(redactor, new RedactionContext());
        List<Verdict> verdicts = new ArrayList<>();
        for (String chunk : chunks(ANSWER, 9, new Random(2))) {
            verdicts.addAll(scanner.accept(chunk).verdicts());
        }
        verdicts.addAll(scanner.finish().verdicts());
        assertThat(verdicts).filteredOn(verdict -> verdict.finding().type() == EntityType.EMAIL)
                .allMatch(verdict -> verdict.finding().value(ANSWER).equals("jana.novak@example.com"));
    }

    @Test
    void rejectsChunksAfterFinish() {
        StreamScanner scanner = new StreamScanner(redactor, new RedactionContext());
        scanner.finish();
        assertThatThrownBy(() -> scanner.accept("more")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new StreamScanner.Settings(0, 10, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    /** {@code text} cut into pieces of 1 to {@code max} characters. */
    static List<String> chunks(String text, int max, Random random) {
        List<String> chunks = new ArrayList<>();
        for (int at = 0; at < text.length(); ) {
            int length = 1 + random.nextInt(max);
            chunks.add(text.substring(at, Math.min(text.length(), at + length)));
            at += length;
        }
        return chunks;
    }
}
