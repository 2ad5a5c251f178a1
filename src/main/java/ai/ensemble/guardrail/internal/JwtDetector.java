package ai.ensemble.guardrail.internal;

import ai.ensemble.guardrail.EntityType;
import ai.ensemble.guardrail.Finding;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * JSON Web Tokens: three base64url parts separated by dots (the third empty for unsigned tokens),
 * whose first part decodes to a JSON object with an {@code "alg"} member.
 */
public final class JwtDetector extends PatternDetector {

    public record Settings(double score) {
        public static Settings defaults() {
            return new Settings(0.95);
        }
    }

    private static final Pattern CANDIDATE = Pattern.compile(
            "(?=eyJ)(?<![A-Za-z0-9_.-])(eyJ[A-Za-z0-9_-]{10,})\\.([A-Za-z0-9_-]{2,})\\.([A-Za-z0-9_-]*)(?![A-Za-z0-9_.-])");

    private final Settings settings;

    public JwtDetector(Settings settings) {
        super("jwt", CANDIDATE);
        this.settings = settings;
    }

    @Override
    Finding validate(Matcher candidate, CharSequence text) {
        String header;
        try {
            header = new String(Base64.getUrlDecoder().decode(stripPadding(candidate.group(1))), StandardCharsets.UTF_8).strip();
        } catch (IllegalArgumentException notBase64) {
            return null;
        }
        if (!header.startsWith("{") || !header.matches("(?s).*\"alg\"\\s*:.*")) {
            return null;
        }
        return new Finding(id(), EntityType.JWT, candidate.start(), candidate.end(), settings.score());
    }

    /** Base64url without padding whose length leaves a remainder of 1 is not decodable; drop the odd character. */
    private static String stripPadding(String part) {
        return part.length() % 4 == 1 ? part.substring(0, part.length() - 1) : part;
    }
}
