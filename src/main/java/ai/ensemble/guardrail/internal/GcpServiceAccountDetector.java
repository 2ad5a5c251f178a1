package ai.ensemble.guardrail.internal;

import ai.ensemble.guardrail.Detector;
import ai.ensemble.guardrail.EntityType;
import ai.ensemble.guardrail.Finding;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Google Cloud service-account key files: the JSON string values of {@code "private_key"} (a PEM
 * key with escaped line breaks, recognised by its BEGIN line at the start of the value) and
 * {@code "private_key_id"} (40 hex digits). A private_key value
 * whose closing quote has not arrived runs to the end of the text, as {@link PrivateKeyDetector}'s
 * blocks do.
 */
public final class GcpServiceAccountDetector implements Detector {

    /** {@code keyScore}: a private_key value holding a PEM key; {@code keyIdScore}: a private_key_id. */
    public record Settings(double keyScore, double keyIdScore, int maxLength) {
        public static Settings defaults() {
            return new Settings(0.99, 0.85, 8192);
        }
    }

    private static final Pattern PRIVATE_KEY = Pattern.compile("\"private_key\"\\s*:\\s*\"");

    private static final Pattern PRIVATE_KEY_ID = Pattern.compile("\"private_key_id\"\\s*:\\s*\"([0-9a-f]{40})\"");

    private final Settings settings;

    public GcpServiceAccountDetector(Settings settings) {
        this.settings = settings;
    }

    @Override
    public String id() {
        return "gcp-service-account";
    }

    @Override
    public List<Finding> scan(CharSequence text) {
        List<Finding> findings = new ArrayList<>();
        Matcher key = PRIVATE_KEY.matcher(text);
        while (key.find()) {
            int start = key.end();
            int limit = Math.min(text.length(), start + settings.maxLength());
            // decided by the value's first characters (a key's value starts with its BEGIN line), so the
            // decision never looks further right than the stream scanner's window
            String head = text.subSequence(start, Math.min(text.length(), start + 40)).toString();
            if (!head.startsWith("-----BEGIN") || !head.contains("PRIVATE KEY")) {
                continue;
            }
            int end = start;
            // a JSON string ends at its closing quote and holds no raw line break
            while (end < limit && text.charAt(end) != '"' && text.charAt(end) != '\n' && text.charAt(end) != '\r') {
                end += text.charAt(end) == '\\' ? 2 : 1;
            }
            end = Math.min(end, text.length());
            if (end > start) {
                findings.add(new Finding(id(), EntityType.GCP_SERVICE_ACCOUNT, start, end, settings.keyScore()));
            }
        }
        Matcher keyId = PRIVATE_KEY_ID.matcher(text);
        while (keyId.find()) {
            findings.add(new Finding(id(), EntityType.GCP_SERVICE_ACCOUNT, keyId.start(1), keyId.end(1), settings.keyIdScore()));
        }
        return findings;
    }
}
