package ai.ensemble.guardrail.internal;

import ai.ensemble.guardrail.EntityType;
import ai.ensemble.guardrail.Finding;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Generic secrets: a value assigned to a credential name ({@code password=}, {@code "api_key": "…"},
 * {@code GITHUB_TOKEN=…}, {@code client_secret:}, "my password is …") that looks random enough
 * (Shannon entropy per character and mixed character classes). Without such a name nothing is
 * reported: hashes, UUIDs and base64 blobs in ordinary text are not secrets by themselves.
 * Rejected as values: placeholders ({@code <token>}, {@code ${SECRET}}, {@code xxxx}), environment
 * and code references ({@code $VAR}, {@code os.environ…}, {@code config.secret}, {@code get_token(}),
 * snake_case identifiers and URLs.
 */
public final class CredentialSecretDetector extends PatternDetector {

    /**
     * {@code minimumEntropy}: bits per character of the value; {@code minimumLength}: characters;
     * a value needs two character classes, or {@code longValue} characters.
     */
    public record Settings(double score, double minimumEntropy, int minimumLength, int longValue) {
        public static Settings defaults() {
            return new Settings(0.8, 3.0, 8, 20);
        }
    }

    /** Found first, since a keyword is rare and cheap to look for; the assignment after it is matched from there. */
    private static final Pattern KEYWORD = Pattern.compile(
            "(?=[PpSsTtAaCcKkMm])(?i:password|passwd|passphrase|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|auth[_-]?key|private[_-]?key"
                    + "|credentials?|kennwort|passwort|mot de passe|contraseña)");

    private static final Pattern ASSIGNMENT = Pattern.compile(
            "[A-Za-z0-9_.-]{0,20}[\"']?\\s{0,3}(?i::=|=>|=|:|\\s+is\\s+|\\s+was\\s+|\\s+ist\\s+)\\s{0,3}[\"'`]?"
                    + "([^\\s\"'`,;<>(){}\\[\\]]{1,200})");

    private static final Pattern CODE_REFERENCE = Pattern.compile(
            "[$%].*|.*(?:env\\.|environ|getenv|://).*|[a-z]+(?:_[a-z0-9]+)+|[A-Za-z_][A-Za-z0-9_]*(?:\\.[A-Za-z_][A-Za-z0-9_]*)+");

    private static final Pattern NEXT_PARAMETER = Pattern.compile("&[A-Za-z_][A-Za-z0-9_.-]*=");

    private final Settings settings;

    public CredentialSecretDetector(Settings settings) {
        super("secret", KEYWORD);
        this.settings = settings;
    }

    @Override
    Finding validate(Matcher keyword, CharSequence text) {
        Matcher candidate = ASSIGNMENT.matcher(text).region(keyword.end(), text.length());
        if (!candidate.lookingAt()) {
            return null;
        }
        String value = candidate.group(1);
        Matcher nextParameter = NEXT_PARAMETER.matcher(value);
        if (nextParameter.find()) {
            value = value.substring(0, nextParameter.start()); // client_secret=…&grant_type=…: the query string goes on
        }
        while (value.endsWith(".")) {
            value = value.substring(0, value.length() - 1); // end of a sentence, not of the secret
        }
        int end = candidate.start(1) + value.length();
        boolean call = end < text.length() && text.charAt(end) == '(';
        if (value.length() < settings.minimumLength() || call || SecretValues.isPlaceholder(value)
                || CODE_REFERENCE.matcher(value).matches() || SecretValues.entropy(value) < settings.minimumEntropy()
                || (SecretValues.characterClasses(value) < 2 && value.length() < settings.longValue())) {
            return null;
        }
        return new Finding(id(), EntityType.SECRET, candidate.start(1), end, settings.score());
    }
}
