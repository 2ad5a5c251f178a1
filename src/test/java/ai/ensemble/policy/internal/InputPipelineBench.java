package ai.ensemble.policy.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import ai.ensemble.guardrail.Action;
import ai.ensemble.guardrail.ActionPolicy;
import ai.ensemble.guardrail.Detector;
import ai.ensemble.guardrail.Detectors;
import ai.ensemble.guardrail.RedactionContext;
import ai.ensemble.guardrail.Redactor;
import ai.ensemble.guardrail.Stage;

/**
 * The guardrails' added latency on a ~1,000-token prompt (about 4,000 characters of ordinary
 * requests): every built-in detector, then the prompt-injection classifier, then a denied topic, each
 * alone and all together, p50/p99 over 200 runs after 30 warm-up runs, one thread, a new rotation of
 * the prompt each run.
 * <pre>./mvnw -q test-compile org.codehaus.mojo:exec-maven-plugin:3.5.1:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=ai.ensemble.policy.internal.InputPipelineBench [-Densemble.data=../shared/data]</pre>
 */
public final class InputPipelineBench {

    private InputPipelineBench() {
    }

    public static void main(String[] args) throws Exception {
        Path benign = Path.of(System.getProperty("ensemble.data", "../shared/data"), "benign/selfinstruct_seed.jsonl");
        StringBuilder prompt = new StringBuilder();
        if (Files.exists(benign)) {
            var json = tools.jackson.databind.json.JsonMapper.builder().build();
            for (String line : Files.readAllLines(benign)) {
                if (prompt.length() >= 4000) {
                    break;
                }
                if (!line.isBlank()) {
                    prompt.append(json.readTree(line).get("prompt").asString()).append('\n');
                }
            }
        } else {
            prompt.append("Please summarise the attached quarterly report and list the three largest risks. ".repeat(50));
        }
        String text = prompt.substring(0, Math.min(prompt.length(), 4000));
        ActionPolicy flag = new ActionPolicy(Map.of(), Action.FLAG, 0.5);
        Detector injection = InjectionDetector.trained();
        Detector topic = new TopicDetector("salary-data", List.of("Questions about colleagues' salaries and pay",
                "How much does my colleague earn?", "What is the salary of the head of sales?"));
        System.out.printf(Locale.ROOT, "prompt: %d characters (~%d tokens); %d CPUs, loadavg %s%n", text.length(), text.length() / 4,
                Runtime.getRuntime().availableProcessors(), Files.readString(Path.of("/proc/loadavg")).strip());
        measure("18 built-in detectors (regex + validators)", new Redactor(Detectors.all(), flag), text);
        measure("prompt-injection (heuristics + MiniLM on 500-char windows)", new Redactor(List.of(injection), flag), text);
        measure("one denied topic (MiniLM on 500-char windows)", new Redactor(List.of(topic), flag), text);
        List<Detector> all = new ArrayList<>(Detectors.all());
        all.add(injection);
        all.add(topic);
        measure("all of them", Redactor.forStage(Stage.INPUT, all, flag), text);
    }

    /**
     * Each run scans the prompt rotated by a different number of characters, so every 500-character
     * window is new and no run is served by the embedding cache of an earlier one (as in real traffic);
     * within a run the detectors share the windows' embeddings, as they do in the gateway.
     */
    private static int rotation;

    private static String next(String text) {
        rotation += 37;
        int k = rotation % text.length();
        return text.substring(k) + " " + text.substring(0, k);
    }

    private static void measure(String name, Redactor redactor, String text) {
        for (int i = 0; i < 30; i++) {
            redactor.redact(next(text), new RedactionContext());
        }
        long[] nanos = new long[200];
        for (int i = 0; i < nanos.length; i++) {
            String prompt = next(text);
            long start = System.nanoTime();
            redactor.redact(prompt, new RedactionContext());
            nanos[i] = System.nanoTime() - start;
        }
        Arrays.sort(nanos);
        System.out.printf(Locale.ROOT, "| %s | %.2f | %.2f |%n", name, nanos[nanos.length / 2] / 1e6, nanos[(int) (nanos.length * 0.99)] / 1e6);
    }

}
