package ai.ensemble.guardrail.internal;

import ai.ensemble.guardrail.EntityType;
import ai.ensemble.guardrail.Finding;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Google Cloud API keys: {@code AIza} and 35 characters of {@code A–Z a–z 0–9 _ -}, 39 in all. */
public final class GcpApiKeyDetector extends PatternDetector {

    public record Settings(double score) {
        public static Settings defaults() {
            return new Settings(0.95);
        }
    }

    private static final Pattern CANDIDATE = Pattern.compile("AIza(?<![A-Za-z0-9_-]AIza)[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])");

    private final Settings settings;

    public GcpApiKeyDetector(Settings settings) {
        super("gcp-api-key", CANDIDATE);
        this.settings = settings;
    }

    @Override
    Finding validate(Matcher candidate, CharSequence text) {
        return new Finding(id(), EntityType.GCP_API_KEY, candidate.start(), candidate.end(), settings.score());
    }
}
