package ai.ensemble.guardrail.internal;

import ai.ensemble.guardrail.EntityType;
import ai.ensemble.guardrail.Finding;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * AWS access key ids: {@code AKIA} (long-term) or {@code ASIA} (temporary, STS) and 16 characters
 * of the base-32 alphabet {@code A–Z, 2–7}. The id alone does not grant access, but it names the
 * key and usually travels with the secret.
 */
public final class AwsAccessKeyDetector extends PatternDetector {

    public record Settings(double score) {
        public static Settings defaults() {
            return new Settings(0.95);
        }
    }

    private static final Pattern CANDIDATE = Pattern.compile("(?=A[KS]IA)(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z2-7]{16}(?![A-Za-z0-9])");

    private final Settings settings;

    public AwsAccessKeyDetector(Settings settings) {
        super("aws-access-key", CANDIDATE);
        this.settings = settings;
    }

    @Override
    Finding validate(Matcher candidate, CharSequence text) {
        return new Finding(id(), EntityType.AWS_ACCESS_KEY, candidate.start(), candidate.end(), settings.score());
    }
}
