package ai.ensemble.guardrail.internal;

import ai.ensemble.guardrail.Detector;
import ai.ensemble.guardrail.EntityType;
import ai.ensemble.guardrail.Finding;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * AWS secret access keys: 40 characters of base64 ({@code A–Z a–z 0–9 / +}). Any 40-character
 * base64 string has that shape, so one counts only in context: an AWS secret-key word before it
 * ({@code aws_secret_access_key}, {@code SecretAccessKey}, "secret access key") or an access key
 * id ({@code AKIA…}) within {@link Settings#keyIdDistance()} characters, and it must look random.
 */
public final class AwsSecretKeyDetector implements Detector {

    /**
     * {@code minimumEntropy}: bits per character (random base64 of this length gives about 4.9);
     * {@code keyIdDistance}: how far a key id may be; 80 keeps key, distance and id inside the stream
     * scanner's 128-character window.
     */
    public record Settings(double score, double minimumEntropy, int keyIdDistance) {
        public static Settings defaults() {
            return new Settings(0.9, 3.8, 80);
        }
    }


    private static final Pattern KEY_ID = Pattern.compile("(?:AKIA|ASIA)[A-Z2-7]{16}");

    private static final ContextWords CONTEXT = new ContextWords("aws_secret_access_key", "aws_secret_key", "aws_secret",
            "secretaccesskey", "secret_access_key", "secret access key", "secret_key", "aws secret", "awssecretkey");

    private final Settings settings;

    public AwsSecretKeyDetector(Settings settings) {
        this.settings = settings;
    }

    @Override
    public String id() {
        return "aws-secret-key";
    }

    /** Runs of exactly 40 characters of the base64 alphabet, bounded by characters outside it (a loop: ten times faster than a pattern). */
    @Override
    public List<Finding> scan(CharSequence text) {
        List<Finding> findings = new ArrayList<>();
        int run = 0;
        for (int i = 0; i <= text.length(); i++) {
            char c = i < text.length() ? text.charAt(i) : ' ';
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '/' || c == '+') {
                run++;
                continue;
            }
            if (run == 40 && c != '=' && (i - 41 < 0 || text.charAt(i - 41) != '=')) {
                Finding finding = validate(i - 40, i, text);
                if (finding != null) {
                    findings.add(finding);
                }
            }
            run = 0;
        }
        return findings;
    }

    private Finding validate(int start, int end, CharSequence text) {
        String value = text.subSequence(start, end).toString();
        if (SecretValues.entropy(value) < settings.minimumEntropy() || SecretValues.characterClasses(value) < 3) {
            return null;
        }
        int from = Math.max(0, start - settings.keyIdDistance());
        int to = Math.min(text.length(), end + settings.keyIdDistance());
        boolean keyIdNear = KEY_ID.matcher(text).region(from, to).find();
        if (!keyIdNear && !CONTEXT.near(text, start, end, 40, 0)) {
            return null;
        }
        return new Finding(id(), EntityType.AWS_SECRET_KEY, start, end, settings.score());
    }
}
