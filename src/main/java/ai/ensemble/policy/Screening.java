package ai.ensemble.policy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import ai.ensemble.guardrail.Action;
import ai.ensemble.guardrail.RedactionContext;
import ai.ensemble.guardrail.Redaction;
import ai.ensemble.guardrail.Redactor;
import ai.ensemble.guardrail.Stage;
import ai.ensemble.guardrail.StreamScanner;
import ai.ensemble.guardrail.Verdict;

/**
 * The guardrails of one request: the applicable policies' redactors for its input and its answer,
 * one {@link RedactionContext} (the same value gets the same placeholder in the prompt and in the
 * answer), and every verdict so far as audit evidence (detector, type, action, span, score — never
 * the matched value). Policies run one after another, each on the text the ones before it left
 * (so spans refer to that text); any BLOCK verdict blocks.
 */
public final class Screening {

    /** A policy compiled for one stage. */
    record Compiled(String policy, Redactor redactor) {
    }

    /** The input after screening: the (redacted) texts, or the policy and entity type that blocked them. */
    public record Input(List<String> texts, String blockedBy, String blockedType) {
        public boolean blocked() {
            return blockedBy != null;
        }
    }

    /** A finished answer after screening. */
    public record Output(String text, String blockedBy, String blockedType) {
        public boolean blocked() {
            return blockedBy != null;
        }
    }

    private final List<Compiled> input;
    private final List<Compiled> output;
    private final List<Compiled> context;
    private final List<String> policies;
    private final Limit promptLimit;
    private final Limit outputLimit;
    private final RedactionContext redactionContext = new RedactionContext();

    /** A size limit and the policy that sets it (the smallest of the applicable policies' wins). */
    public record Limit(int tokens, String policy) {
    }
    private final List<Map<String, Object>> evidence = Collections.synchronizedList(new ArrayList<>());

    Screening(List<Compiled> input, List<Compiled> output, List<Compiled> context, List<String> policies, Limit promptLimit,
              Limit outputLimit) {
        this.input = List.copyOf(input);
        this.output = List.copyOf(output);
        this.context = List.copyOf(context);
        this.policies = List.copyOf(policies);
        this.promptLimit = promptLimit;
        this.outputLimit = outputLimit;
    }

    /** Screening with no policy: nothing is scanned, changed or recorded. */
    public static Screening none() {
        return new Screening(List.of(), List.of(), List.of(), List.of(), null, null);
    }

    /** The most prompt tokens a request may have (estimated from its text), or null. */
    public Limit promptLimit() {
        return promptLimit;
    }

    /** The most tokens an answer may have, or null. */
    public Limit outputLimit() {
        return outputLimit;
    }

    /** The ids of the policies that apply to this request. */
    public List<String> policies() {
        return policies;
    }

    public boolean screensOutput() {
        return !output.isEmpty();
    }

    /** Screens the messages' texts (in order); message indexes go into the evidence. */
    public Input screenInput(List<String> texts) {
        List<String> out = new ArrayList<>(texts.size());
        String blockedBy = null;
        String blockedType = null;
        for (int i = 0; i < texts.size(); i++) {
            String current = texts.get(i);
            for (Compiled policy : input) {
                Redaction redaction = policy.redactor().redact(current, redactionContext);
                record("input", policy.policy(), i, redaction.verdicts());
                if (redaction.blocked() && blockedBy == null) {
                    blockedBy = policy.policy();
                    blockedType = firstBlock(redaction.verdicts());
                }
                current = redaction.text();
            }
            out.add(current);
        }
        return new Input(out, blockedBy, blockedType);
    }

    public boolean screensContext() {
        return !context.isEmpty();
    }

    /**
     * Screens retrieved passages: each comes back redacted, or null when a policy blocks it (the
     * passage is left out of the prompt and the citations; the request goes on). Passage indexes go
     * into the evidence.
     */
    public List<String> screenContext(List<String> passages) {
        List<String> out = new ArrayList<>(passages.size());
        for (int i = 0; i < passages.size(); i++) {
            String current = passages.get(i);
            for (Compiled policy : context) {
                Redaction redaction = policy.redactor().redact(current, redactionContext);
                record("context", policy.policy(), i, redaction.verdicts());
                if (redaction.blocked()) {
                    current = null;
                    break;
                }
                current = redaction.text();
            }
            out.add(current);
        }
        return out;
    }

    /** Screens a whole answer (non-streamed). */
    public Output screenOutput(String text) {
        String current = text;
        for (Compiled policy : output) {
            Redaction redaction = policy.redactor().redact(current, redactionContext);
            record("output", policy.policy(), null, redaction.verdicts());
            if (redaction.blocked()) {
                return new Output("", policy.policy(), firstBlock(redaction.verdicts()));
            }
            current = redaction.text();
        }
        return new Output(current, null, null);
    }

    /** A scanner for a streamed answer: text leaves only after every output policy scanned it. */
    public Stream stream() {
        return new Stream();
    }

    /**
     * What this screening does to one text at {@code stage} (input or output), as the check and test
     * APIs show it: {@code blocked}, {@code blockedBy}, the {@code redacted} text (null when blocked),
     * the {@code policies} and the {@code verdicts}.
     */
    public Map<String, Object> report(String text, String stage) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (stage.equals("input")) {
            Input input = screenInput(List.of(text));
            out.put("blocked", input.blocked());
            out.put("blockedBy", input.blockedBy());
            out.put("redacted", input.blocked() ? null : input.texts().getFirst());
        } else {
            Output output = screenOutput(text);
            out.put("blocked", output.blocked());
            out.put("blockedBy", output.blockedBy());
            out.put("redacted", output.blocked() ? null : output.text());
        }
        out.put("policies", policies);
        out.put("verdicts", evidence());
        return out;
    }

    /** One policy's pass in {@link #trace}: the text it received, the text it left, and its verdicts (spans in {@code screened}). */
    public record Pass(String policy, String screened, String left, List<Verdict> verdicts, boolean blocked) {
        public Pass {
            verdicts = List.copyOf(verdicts);
        }
    }

    /**
     * Runs this screening's policies for {@code stage} over one text as the chat path does, keeping
     * what each policy received so that its spans can be shown in place (the console's "test a
     * text"). The input stage goes on past a block, so that every policy's findings show; the output
     * and context stages stop at it, as they do for a request. Nothing goes into the evidence.
     */
    public List<Pass> trace(String text, Stage stage) {
        List<Compiled> chain = switch (stage) {
            case INPUT -> input;
            case OUTPUT -> output;
            case CONTEXT -> context;
        };
        List<Pass> passes = new ArrayList<>();
        String current = text;
        for (Compiled policy : chain) {
            Redaction redaction = policy.redactor().redact(current, redactionContext);
            passes.add(new Pass(policy.policy(), current, redaction.text(), redaction.verdicts(), redaction.blocked()));
            if (redaction.blocked() && stage != Stage.INPUT) {
                break;
            }
            current = redaction.text();
        }
        return passes;
    }

    /** The verdicts so far, for the audit record. */
    public List<Map<String, Object>> evidence() {
        synchronized (evidence) {
            return List.copyOf(evidence);
        }
    }

    private void record(String stage, String policy, Integer message, List<Verdict> verdicts) {
        for (Verdict verdict : verdicts) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("stage", stage);
            entry.put("policy", policy);
            if (message != null) {
                entry.put("message", message);
            }
            entry.put("detector", verdict.finding().detector());
            entry.put("type", verdict.finding().type().name());
            entry.put("action", verdict.action().name().toLowerCase(java.util.Locale.ROOT));
            entry.put("start", verdict.finding().start());
            entry.put("end", verdict.finding().end());
            entry.put("score", Math.round(verdict.finding().score() * 1000) / 1000.0);
            evidence.add(entry);
        }
    }

    private static String firstBlock(List<Verdict> verdicts) {
        return verdicts.stream().filter(v -> v.action() == Action.BLOCK).map(v -> v.finding().type().name()).findFirst().orElse(null);
    }

    /**
     * The output policies' stream scanners in a chain: each one's released text feeds the next, and
     * what the last one releases may be sent. Not thread-safe: one per streamed answer.
     */
    public final class Stream {
        private final List<StreamScanner> scanners = new ArrayList<>();
        private final StringBuilder sent = new StringBuilder();
        private String blockedBy;
        private String blockedType;

        private Stream() {
            for (Compiled policy : output) {
                scanners.add(new StreamScanner(policy.redactor(), redactionContext));
            }
        }

        /** The next chunk of the answer in; the text that may now be sent out ("" while held back or once blocked). */
        public String accept(String chunk) {
            return pass(chunk, false);
        }

        /** The answer is complete: the rest that may be sent. */
        public String finish() {
            return pass("", true);
        }

        public boolean blocked() {
            return blockedBy != null;
        }

        public String blockedBy() {
            return blockedBy;
        }

        public String blockedType() {
            return blockedType;
        }

        /** Everything released to the client so far. */
        public String sent() {
            return sent.toString();
        }

        private String pass(String chunk, boolean finishing) {
            if (blocked()) {
                return "";
            }
            String text = chunk;
            for (int i = 0; i < scanners.size(); i++) {
                StreamScanner scanner = scanners.get(i);
                StreamScanner.Emission emission = scanner.accept(text);
                String released = emission.text();
                List<Verdict> verdicts = new ArrayList<>(emission.verdicts());
                boolean blockedHere = emission.blocked();
                if (finishing && !blockedHere) {
                    StreamScanner.Emission last = scanner.finish();
                    released += last.text();
                    verdicts.addAll(last.verdicts());
                    blockedHere = last.blocked();
                }
                record("output", output.get(i).policy(), null, verdicts);
                if (blockedHere) {
                    blockedBy = output.get(i).policy();
                    blockedType = firstBlock(verdicts);
                    return "";
                }
                text = released;
            }
            sent.append(text);
            return text;
        }
    }
}
