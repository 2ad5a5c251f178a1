package ai.ensemble.guardrail.internal;

import ai.ensemble.guardrail.EntityType;
import ai.ensemble.guardrail.Finding;

import java.util.ArrayList;
import java.util.List;
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

    /** Tries the pattern only where an {@code @} is: from the start of the local part before it. */
    @Override
    public List<Finding> scan(CharSequence text) {
        List<Finding> findings = new ArrayList<>();
        Matcher matcher = CANDIDATE.matcher(text).useTransparentBounds(true);
        int searched = 0;
        for (int at = indexOf(text, '@', 0); at >= 0; at = indexOf(text, '@', at + 1)) {
            int start = at;
            while (start > searched && at - start < 64 && LOCAL.indexOf(text.charAt(start - 1)) >= 0) {
                start--;
            }
            if (start < at && matcher.region(start, text.length()).lookingAt()) {
                Finding finding = validate(matcher, text);
                if (finding != null) {
                    findings.add(finding);
                }
                searched = matcher.end();
            }
        }
        return findings;
    }

    private static final String LOCAL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._%+-";

    private static int indexOf(CharSequence text, char c, int from) {
        if (text instanceof String string) {
            return string.indexOf(c, from);
        }
        for (int i = from; i < text.length(); i++) {
            if (text.charAt(i) == c) {
                return i;
            }
        }
        return -1;
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
