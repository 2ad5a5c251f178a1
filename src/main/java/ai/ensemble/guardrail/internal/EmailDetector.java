package ai.ensemble.guardrail.internal;

import ai.ensemble.guardrail.EntityType;
import ai.ensemble.guardrail.Finding;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** E-mail addresses: a dot-atom local part, an {@code @}, and a domain with a letters-only top level. */
public final class EmailDetector extends PatternDetector {

    /** {@code score}: for every valid address; there is little doubt once the shape holds. */
    public record Settings(double score) {
        public static Settings defaults() {
            return new Settings(0.95);
        }
    }

    private static final Pattern CANDIDATE = Pattern.compile(
            "(?=[A-Za-z0-9._%+-])(?<![\\w.%+-])[A-Za-z0-9._%+-]{1,64}+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z]{2,24}(?![\\w-]|\\.[A-Za-z0-9])");

    private final Settings settings;

    public EmailDetector(Settings settings) {
        super("email", CANDIDATE);
        this.settings = settings;
    }

    @Override
    Finding validate(Matcher candidate, CharSequence text) {
        String value = candidate.group();
        String local = value.substring(0, value.indexOf('@'));
        if (local.startsWith(".") || local.endsWith(".") || local.contains("..")) {
            return null;
        }
        return new Finding(id(), EntityType.EMAIL, candidate.start(), candidate.end(), settings.score());
    }
}
