package ai.ensemble.guardrail;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Scans a model's answer as it streams. Text is released only after it was scanned with at least
 * {@link Settings#holdBack()} characters of what follows it, so a span cut by a chunk boundary is
 * still caught; REDACT verdicts become placeholders in the released text, and a BLOCK verdict stops
 * the stream before any of the text around it leaves.
 *
 * <p>The released text equals {@link Redactor#redact} of the whole answer for every chunking, as
 * long as the detectors keep to {@link Detector}'s contract. Three rules make this so: the release
 * point never cuts a finding (so a finding that still runs to the end of the buffer, like a PEM
 * block waiting for its END line, holds everything from its start); it never cuts a run of
 * non-whitespace characters, nor releases the trailing run, which may still grow into a token
 * (bounded by {@link Settings#maxHold()}); and each scan sees {@code holdBack} characters of
 * already-released text to the left, for context words.
 *
 * <p>Not thread-safe: one scanner per streamed answer, fed from one thread at a time.
 */
public final class StreamScanner {

    /**
     * {@code holdBack}: characters kept back behind the newest text and kept as left context. 128
     * covers the longest bounded span plus its context that the built-in detectors look at: an
     * IBAN (34 characters plus spaces, 42), a card number with separators (23), a street address
     * line (about 60), a date of birth with a context word up to 40 characters away (about 70).
     * {@code maxHold}: the most characters held for one unfinished token or open finding (a JWT, a
     * PEM private key of 4,096 bits is about 3,300). {@code minRelease}: new characters to wait for
     * before scanning again, so that a stream of one-token chunks is not rescanned per token.
     */
    public record Settings(int holdBack, int maxHold, int minRelease) {

        public Settings {
            if (holdBack < 1 || minRelease < 1 || maxHold < holdBack) {
                throw new IllegalArgumentException("stream settings need holdBack >= 1, minRelease >= 1 and maxHold >= holdBack, were "
                        + holdBack + ", " + minRelease + ", " + maxHold);
            }
        }

        public static Settings defaults() {
            return new Settings(128, 8192, 32);
        }
    }

    /**
     * What one call released: the (redacted) text, the verdicts on it with offsets into the raw
     * answer, and whether the stream was blocked (then {@code text} is empty and nothing follows).
     */
    public record Emission(String text, List<Verdict> verdicts, boolean blocked) {

        public Emission {
            verdicts = List.copyOf(verdicts);
        }

        static final Emission NOTHING = new Emission("", List.of(), false);
    }

    private final Redactor redactor;
    private final RedactionContext context;
    private final Settings settings;
    private final StringBuilder buffer = new StringBuilder();
    private final StringBuilder released = new StringBuilder();
    /** Offset in the raw answer of {@code buffer}'s first character. */
    private long bufferStart;
    /** Offset in the raw answer up to which text was released. */
    private long committed;
    /** Buffer length at which the next scan is worth doing. */
    private int nextScanAt;
    private boolean blocked;
    private boolean finished;

    public StreamScanner(Redactor redactor, RedactionContext context) {
        this(redactor, context, Settings.defaults());
    }

    public StreamScanner(Redactor redactor, RedactionContext context, Settings settings) {
        this.redactor = Objects.requireNonNull(redactor, "redactor");
        this.context = Objects.requireNonNull(context, "context");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.nextScanAt = settings.holdBack() + settings.minRelease();
    }

    /** Takes the next chunk of the answer and returns what may now be released. */
    public Emission accept(CharSequence chunk) {
        if (finished) {
            throw new IllegalStateException("the stream was already finished");
        }
        if (blocked) {
            return new Emission("", List.of(), true);
        }
        buffer.append(chunk);
        if (buffer.length() < nextScanAt) {
            return Emission.NOTHING;
        }
        return scan(false);
    }

    /** The answer is complete: scans and releases what was held back. */
    public Emission finish() {
        if (finished) {
            throw new IllegalStateException("the stream was already finished");
        }
        finished = true;
        return blocked ? new Emission("", List.of(), true) : scan(true);
    }

    /** Everything released so far: after a BLOCK, exactly what the client has already received. */
    public String released() {
        return released.toString();
    }

    public boolean blocked() {
        return blocked;
    }

    private Emission scan(boolean finishing) {
        String window = buffer.toString();
        int from = (int) (committed - bufferStart);
        int end = window.length();
        List<Verdict> verdicts = new ArrayList<>();
        for (Verdict verdict : redactor.judge(window)) {
            if (verdict.finding().start() >= from) { // earlier ones were settled by an earlier scan
                verdicts.add(verdict);
            }
        }
        int limit = finishing ? end : notInsideAFinding(verdicts, releasePoint(window, from));
        if (limit <= from) {
            nextScanAt = end + settings.minRelease();
            return Emission.NOTHING;
        }
        List<Verdict> ready = new ArrayList<>();
        for (Verdict verdict : verdicts) {
            if (verdict.finding().end() <= limit) {
                ready.add(verdict);
            }
        }
        List<Verdict> resolved = Redactor.resolve(ready);
        long offset = bufferStart;
        if (resolved.stream().anyMatch(verdict -> verdict.action() == Action.BLOCK)) {
            blocked = true;
            return new Emission("", shifted(resolved, offset), true);
        }
        String text = Redactor.apply(window, from, limit, resolved, context);
        released.append(text);
        committed += limit - from;
        long keepFrom = Math.max(bufferStart, committed - settings.holdBack());
        buffer.delete(0, (int) (keepFrom - bufferStart));
        bufferStart = keepFrom;
        nextScanAt = buffer.length() + settings.minRelease();
        return new Emission(text, shifted(resolved, offset), false);
    }

    /**
     * The furthest point that leaves {@code holdBack} characters unreleased, moved back so that it
     * neither cuts a run of non-whitespace characters nor releases the run at the end of the buffer.
     */
    private int releasePoint(String window, int from) {
        int end = window.length();
        int limit = end - settings.holdBack();
        if (limit <= from) {
            return from;
        }
        int floor = Math.max(from, end - settings.maxHold());
        limit = Math.min(runStart(window, limit, floor), runStart(window, end, floor));
        return limit;
    }

    /** Where the whitespace-free run that {@code point} falls inside begins (the end counts as inside). */
    private static int runStart(String window, int point, int floor) {
        int p = point;
        while (p > floor && !Character.isWhitespace(window.charAt(p - 1))
                && (p >= window.length() || !Character.isWhitespace(window.charAt(p)))) {
            p--;
        }
        return p;
    }

    private static int notInsideAFinding(List<Verdict> verdicts, int limit) {
        int point = limit;
        boolean moved = true;
        while (moved) {
            moved = false;
            for (Verdict verdict : verdicts) {
                Finding finding = verdict.finding();
                if (finding.start() < point && finding.end() > point) {
                    point = finding.start();
                    moved = true;
                }
            }
        }
        return point;
    }

    private static List<Verdict> shifted(List<Verdict> verdicts, long offset) {
        List<Verdict> result = new ArrayList<>(verdicts.size());
        for (Verdict verdict : verdicts) {
            result.add(new Verdict(verdict.finding().shifted((int) offset), verdict.action()));
        }
        return result;
    }
}
