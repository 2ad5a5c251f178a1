package ai.ensemble.guardrail.internal;

import ai.ensemble.guardrail.EntityType;
import ai.ensemble.guardrail.Finding;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Bearer tokens ({@code Authorization: Bearer <token>}, RFC 6750's token68 alphabet): the token,
 * at least 16 characters that look random and are not a documentation placeholder.
 */
public final class BearerTokenDetector extends PatternDetector {

    /** {@code score}: after "Bearer"; {@code headerBonus}: with "Authorization" before it. */
    public record Settings(double score, double headerBonus, int minimumLength, double minimumEntropy) {
        public static Settings defaults() {
            return new Settings(0.85, 0.1, 16, 3.0);
        }
    }

    private static final Pattern CANDIDATE = Pattern.compile("(?i)(?<![A-Za-z])bearer\\s+([A-Za-z0-9._~+/-]+=*)(?![A-Za-z0-9._~+/=-])");

    private static final ContextWords HEADER = new ContextWords("authorization", "auth", "header", "-h");

    private final Settings settings;

    public BearerTokenDetector(Settings settings) {
        super("bearer-token", CANDIDATE);
        this.settings = settings;
    }

    @Override
    Finding validate(Matcher candidate, CharSequence text) {
        String token = candidate.group(1);
        if (token.length() < settings.minimumLength() || SecretValues.isPlaceholder(token)
                || SecretValues.entropy(token) < settings.minimumEntropy() || SecretValues.characterClasses(token) < 2) {
            return null;
        }
        double score = settings.score();
        if (HEADER.near(text, candidate.start(), candidate.start(), 30, 0)) {
            score += settings.headerBonus();
        }
        return new Finding(id(), EntityType.BEARER_TOKEN, candidate.start(1), candidate.end(1), clamp(score));
    }
}
