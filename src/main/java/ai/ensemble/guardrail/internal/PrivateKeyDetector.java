package ai.ensemble.guardrail.internal;

import ai.ensemble.guardrail.Detector;
import ai.ensemble.guardrail.EntityType;
import ai.ensemble.guardrail.Finding;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PEM private keys ({@code -----BEGIN [RSA |EC |OPENSSH |ENCRYPTED …]PRIVATE KEY-----}), also inside
 * JSON strings where the line breaks are written {@code \n}. The finding runs from the BEGIN line
 * to the matching END line when that follows the base64 body directly; while the END line is missing (a truncated paste, or a stream that has
 * not delivered it yet) it runs over the base64 body to the end of the text, so a stream scanner
 * holds the whole block back.
 */
public final class PrivateKeyDetector implements Detector {

    /** {@code maxLength}: the longest block searched for its END line (a 4,096-bit RSA key is about 3,300 characters). */
    public record Settings(double score, int maxLength) {
        public static Settings defaults() {
            return new Settings(1.0, 8192);
        }
    }

    private static final Pattern BEGIN = Pattern.compile("-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY( BLOCK)?-----");

    private final Settings settings;

    public PrivateKeyDetector(Settings settings) {
        this.settings = settings;
    }

    @Override
    public String id() {
        return "private-key";
    }

    @Override
    public List<Finding> scan(CharSequence text) {
        List<Finding> findings = new ArrayList<>();
        Matcher begin = BEGIN.matcher(text);
        int searchFrom = 0;
        while (searchFrom < text.length() && begin.find(searchFrom)) {
            String endLine = "-----END " + begin.group(1) + "PRIVATE KEY" + (begin.group(2) == null ? "" : begin.group(2)) + "-----";
            int limit = Math.min(text.length(), begin.start() + settings.maxLength());
            // the END line counts only inside the run of body characters that follows BEGIN (it is made
            // of them itself), so the block is decided by contiguous text, as the stream scanner needs
            int body = bodyEnd(text, begin.end(), limit);
            int endAt = indexOf(text, endLine, begin.end(), body);
            int end = endAt >= 0 ? endAt + endLine.length() : body;
            findings.add(new Finding(id(), EntityType.PRIVATE_KEY, begin.start(), end, settings.score()));
            searchFrom = end;
        }
        return findings;
    }

    /** Where the body of base64 lines (with real or escaped line breaks and PEM header fields) stops. */
    private static int bodyEnd(CharSequence text, int from, int limit) {
        int at = from;
        while (at < limit) {
            char c = text.charAt(at);
            boolean body = Character.isLetterOrDigit(c) && c < 128 || c == '+' || c == '/' || c == '=' || c == '\\'
                    || c == ':' || c == ',' || c == '-' || Character.isWhitespace(c);
            if (!body) {
                break;
            }
            at++;
        }
        return at;
    }

    private static int indexOf(CharSequence text, String needle, int from, int limit) {
        int last = limit - needle.length();
        outer:
        for (int i = from; i <= last; i++) {
            for (int j = 0; j < needle.length(); j++) {
                if (text.charAt(i + j) != needle.charAt(j)) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
