package ai.ensemble.guardrail.internal;

import ai.ensemble.guardrail.EntityType;
import ai.ensemble.guardrail.Finding;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Azure keys in connection strings: the value of {@code AccountKey=} (storage accounts: 64 bytes,
 * 88 base64 characters ending in {@code ==}) and of {@code SharedAccessKey=} (Service Bus, Event
 * Hubs, IoT Hub: 32 bytes, 44 characters ending in {@code =}). The finding is the key; the account
 * name and endpoint around it are not secret.
 */
public final class AzureKeyDetector extends PatternDetector {

    /** {@code exact}: a key of the documented length; {@code other}: a base64 value of another length after the same field name. */
    public record Settings(double exact, double other) {
        public static Settings defaults() {
            return new Settings(0.95, 0.8);
        }
    }

    private static final Pattern CANDIDATE = Pattern.compile(
            "(?i)(?<![A-Za-z])(AccountKey|SharedAccessKey|PrimaryKey|SecondaryKey)\\s*[=:]\\s*\"?([A-Za-z0-9+/]{30,120}={0,2})(?![A-Za-z0-9+/=])");

    private final Settings settings;

    public AzureKeyDetector(Settings settings) {
        super("azure-key", CANDIDATE);
        this.settings = settings;
    }

    @Override
    Finding validate(Matcher candidate, CharSequence text) {
        String key = candidate.group(2);
        if (SecretValues.isPlaceholder(key) || SecretValues.entropy(key) < 3.5) {
            return null;
        }
        boolean exact = (key.length() == 88 && key.endsWith("==")) || (key.length() == 44 && key.endsWith("="));
        return new Finding(id(), EntityType.AZURE_KEY, candidate.start(2), candidate.end(2), exact ? settings.exact() : settings.other());
    }
}
