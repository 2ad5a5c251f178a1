package ai.ensemble.guardrail;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Measures the built-in detectors on the evaluation data, for BENCHMARKS.md. Reads (never copies)
 * {@code pii/presidio_synth_train.jsonl} for per-type precision, recall and F1, and
 * {@code benign/selfinstruct_seed.jsonl} for the share of ordinary prompts with a finding, then
 * times the redactor and the stream scanner on those texts. The data folder comes from
 * {@code -Densemble.data=…} or {@code ENSEMBLE_DATA}, else {@code ../shared/data}; where it is
 * absent the harness says so and stops. {@code -Dguardrail.examples=true} prints the misses.
 *
 * <pre>./mvnw -q test-compile exec:java -Dexec.mainClass=ai.ensemble.guardrail.GuardrailEvaluation -Densemble.data=/work/shared/data</pre>
 *
 * <p>Match rule: a finding matches a labelled span when their character ranges overlap and the
 * finding's type maps to the label's type. Precision counts our findings of a type that match a
 * label; recall counts labels matched by at least one finding. Only the verdicts the redactor keeps
 * (default policy, score ≥ 0.5, overlaps resolved) are counted.
 */
public final class GuardrailEvaluation {

    /** Our type → the data set's label. DATE_OF_BIRTH is scored against all DATE_TIME labels, of which birth dates are a part. */
    private static final Map<EntityType, String> LABELS = new EnumMap<>(Map.of(
            EntityType.EMAIL, "EMAIL_ADDRESS", EntityType.PHONE, "PHONE_NUMBER", EntityType.CREDIT_CARD, "CREDIT_CARD",
            EntityType.IBAN, "IBAN_CODE", EntityType.US_SSN, "US_SSN", EntityType.IP_ADDRESS, "IP_ADDRESS",
            EntityType.DATE_OF_BIRTH, "DATE_TIME", EntityType.STREET_ADDRESS, "STREET_ADDRESS", EntityType.PERSON, "PERSON"));

    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    private record Span(String type, int start, int end) {
    }

    private record Sample(String text, List<Span> spans) {
    }

    public static void main(String[] args) throws IOException {
        Path data = dataFolder();
        Path pii = data.resolve("pii/presidio_synth_train.jsonl");
        Path benign = data.resolve("benign/selfinstruct_seed.jsonl");
        if (!Files.isRegularFile(pii) || !Files.isRegularFile(benign)) {
            System.out.println("guardrail evaluation skipped: no evaluation data under " + data.toAbsolutePath()
                    + " (set -Densemble.data=<folder> or ENSEMBLE_DATA)");
            return;
        }
        boolean examples = Boolean.getBoolean("guardrail.examples");
        Redactor redactor = new Redactor(Detectors.all(), ActionPolicy.redactAll());
        System.out.printf("load average at start: %s%n", loadAverage());
        List<Sample> samples = readSamples(pii);
        List<String> prompts = readPrompts(benign);
        piiScores(redactor, samples, examples);
        benignRate(redactor, prompts, examples);
        List<String> texts = new ArrayList<>(prompts);
        samples.forEach(sample -> texts.add(sample.text()));
        if (!Boolean.getBoolean("guardrail.skipThroughput")) {
            throughput(redactor, texts);
        }
        System.out.printf("load average at end: %s%n", loadAverage());
    }

    private static void piiScores(Redactor redactor, List<Sample> samples, boolean examples) {
        Map<String, int[]> labelCounts = new TreeMap<>(); // label → {labels, found}
        Map<EntityType, int[]> findingCounts = new EnumMap<>(EntityType.class); // ours → {findings, matched}
        for (Sample sample : samples) {
            List<Verdict> verdicts = redactor.evaluate(sample.text());
            for (Span span : sample.spans()) {
                int[] counts = labelCounts.computeIfAbsent(span.type(), type -> new int[2]);
                counts[0]++;
                boolean found = verdicts.stream().anyMatch(verdict -> matches(verdict.finding(), span));
                if (found) {
                    counts[1]++;
                } else if (examples && LABELS.containsValue(span.type())) {
                    System.out.printf("  missed %s: %s%n", span.type(), excerpt(sample.text(), span.start(), span.end()));
                }
            }
            for (Verdict verdict : verdicts) {
                Finding finding = verdict.finding();
                int[] counts = findingCounts.computeIfAbsent(finding.type(), type -> new int[2]);
                counts[0]++;
                if (sample.spans().stream().anyMatch(span -> matches(finding, span))) {
                    counts[1]++;
                } else if (examples) {
                    System.out.printf("  false %s (%.2f): %s%n", finding.type(), finding.score(), excerpt(sample.text(), finding.start(), finding.end()));
                }
            }
        }
        System.out.printf("%nPII: %d sentences, %d labelled spans (overlap match, types mapped)%n", samples.size(),
                labelCounts.values().stream().mapToInt(c -> c[0]).sum());
        System.out.println("| our type | their label | labels | found | recall | findings | correct | precision | F1 |");
        System.out.println("|---|---|---:|---:|---:|---:|---:|---:|---:|");
        for (Map.Entry<EntityType, String> entry : LABELS.entrySet()) {
            int[] labels = labelCounts.getOrDefault(entry.getValue(), new int[2]);
            int[] findings = findingCounts.getOrDefault(entry.getKey(), new int[2]);
            double recall = labels[0] == 0 ? Double.NaN : (double) labels[1] / labels[0];
            double precision = findings[0] == 0 ? Double.NaN : (double) findings[1] / findings[0];
            double f1 = 2 * precision * recall / (precision + recall);
            System.out.printf("| %s | %s | %d | %d | %s | %d | %d | %s | %s |%n", entry.getKey(), entry.getValue(), labels[0], labels[1],
                    percent(recall), findings[0], findings[1], percent(precision), percent(f1));
        }
        System.out.print("labels we do not detect: ");
        labelCounts.forEach((label, counts) -> {
            if (!LABELS.containsValue(label)) {
                System.out.printf("%s (%d) ", label, counts[0]);
            }
        });
        System.out.println();
        findingCounts.forEach((type, counts) -> {
            if (!LABELS.containsKey(type)) {
                System.out.printf("findings of a type without labels: %s %d%n", type, counts[0]);
            }
        });
    }

    private static void benignRate(Redactor redactor, List<String> prompts, boolean examples) {
        int flagged = 0;
        Map<EntityType, Integer> byType = new EnumMap<>(EntityType.class);
        for (String prompt : prompts) {
            List<Verdict> verdicts = redactor.evaluate(prompt);
            if (!verdicts.isEmpty()) {
                flagged++;
            }
            for (Verdict verdict : verdicts) {
                byType.merge(verdict.finding().type(), 1, Integer::sum);
                if (examples) {
                    Finding finding = verdict.finding();
                    System.out.printf("  benign %s (%.2f): %s%n", finding.type(), finding.score(), excerpt(prompt, finding.start(), finding.end()));
                }
            }
        }
        System.out.printf("%nbenign prompts: %d, with a finding: %d (%s); findings by type: %s%n", prompts.size(), flagged,
                percent((double) flagged / prompts.size()), byType);
    }

    private static void throughput(Redactor redactor, List<String> texts) {
        String corpus = String.join("\n", texts) + "\n";
        String big = corpus.repeat(Math.max(1, (4 << 20) / corpus.length()));
        double megabytes = big.getBytes(StandardCharsets.UTF_8).length / 1e6;
        long warm = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < warm) {
            redactor.redact(corpus, new RedactionContext());
        }
        long best = Long.MAX_VALUE;
        long bestCpu = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            long start = System.nanoTime();
            long cpu = THREADS.getCurrentThreadCpuTime();
            redactor.redact(big, new RedactionContext());
            best = Math.min(best, System.nanoTime() - start);
            bestCpu = Math.min(bestCpu, THREADS.getCurrentThreadCpuTime() - cpu);
        }
        System.out.printf("%nwhole-text redaction, %d detectors, %.1f MB (%,d chars), one thread: %.2f MB/s, %,.0f chars/s wall clock;"
                        + " %.2f MB/s, %,.0f chars/s per CPU second (best of 5)%n", redactor.detectors().size(), megabytes, big.length(),
                megabytes / (best / 1e9), big.length() / (best / 1e9), megabytes / (bestCpu / 1e9), big.length() / (bestCpu / 1e9));
        StringBuilder perDetector = new StringBuilder("per detector, MB per CPU second:");
        String sample = big.substring(0, Math.min(big.length(), 1 << 20));
        for (Detector detector : redactor.detectors()) {
            long fastest = Long.MAX_VALUE;
            for (int i = 0; i < 3; i++) {
                long cpu = THREADS.getCurrentThreadCpuTime();
                detector.scan(sample);
                fastest = Math.min(fastest, THREADS.getCurrentThreadCpuTime() - cpu);
            }
            perDetector.append(String.format(Locale.ROOT, " %s %.1f,", detector.id(), sample.length() / 1e6 / (fastest / 1e9)));
        }
        System.out.println(perDetector.substring(0, perDetector.length() - 1));
        String streamed = big.substring(0, Math.min(big.length(), 1 << 20));
        double streamedMegabytes = streamed.getBytes(StandardCharsets.UTF_8).length / 1e6;
        long streamBest = Long.MAX_VALUE;
        long streamBestCpu = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            long start = System.nanoTime();
            long cpu = THREADS.getCurrentThreadCpuTime();
            StreamScanner scanner = new StreamScanner(redactor, new RedactionContext());
            for (int at = 0; at < streamed.length(); at += 4) {
                scanner.accept(streamed.substring(at, Math.min(streamed.length(), at + 4)));
            }
            scanner.finish();
            streamBest = Math.min(streamBest, System.nanoTime() - start);
            streamBestCpu = Math.min(streamBestCpu, THREADS.getCurrentThreadCpuTime() - cpu);
        }
        System.out.printf("stream scanner, 4-character chunks, default settings, %.1f MB: %,.0f chars/s wall clock, %,.0f chars/s per CPU second (best of 3)%n",
                streamedMegabytes, streamed.length() / (streamBest / 1e9), streamed.length() / (streamBestCpu / 1e9));
    }

    private static boolean matches(Finding finding, Span span) {
        String label = LABELS.get(finding.type());
        return label != null && label.equals(span.type()) && finding.start() < span.end() && span.start() < finding.end();
    }

    private static List<Sample> readSamples(Path file) throws IOException {
        JsonMapper json = JsonMapper.builder().build();
        List<Sample> samples = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode node = json.readTree(line);
            List<Span> spans = new ArrayList<>();
            for (JsonNode span : node.get("spans")) {
                spans.add(new Span(span.get("type").asString(), span.get("start").asInt(), span.get("end").asInt()));
            }
            samples.add(new Sample(node.get("text").asString(), spans));
        }
        return samples;
    }

    private static List<String> readPrompts(Path file) throws IOException {
        JsonMapper json = JsonMapper.builder().build();
        List<String> prompts = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            if (!line.isBlank()) {
                prompts.add(json.readTree(line).get("prompt").asString());
            }
        }
        return prompts;
    }

    static Path dataFolder() {
        String configured = System.getProperty("ensemble.data", System.getenv("ENSEMBLE_DATA"));
        return Path.of(configured != null ? configured : "../shared/data");
    }

    private static String excerpt(String text, int start, int end) {
        return (text.substring(Math.max(0, start - 30), start) + "⟦" + text.substring(start, end) + "⟧"
                + text.substring(end, Math.min(text.length(), end + 30))).replace('\n', '⏎');
    }

    private static String percent(double value) {
        return Double.isNaN(value) ? "–" : String.format(Locale.ROOT, "%.1f %%", 100 * value);
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (IOException | RuntimeException unavailable) {
            return "unknown";
        }
    }
}
