package ai.ensemble.guardrail.internal;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** Tests on a candidate secret value: how random it looks, and whether it is a placeholder. */
final class SecretValues {

    private static final String[] PLACEHOLDER_MARKS = {
        "xxxx", "****", "....", "<", ">", "${", "{{", "%(", "your", "example", "placeholder", "changeme",
        "redacted", "dummy", "sample", "insert", "replace", "secret_here", "token_here", "key_here", "todo"
    };

    private SecretValues() {
    }

    /** Shannon entropy in bits per character over the characters of {@code value}. */
    static double entropy(CharSequence value) {
        if (value.isEmpty()) {
            return 0;
        }
        Map<Character, Integer> counts = new HashMap<>();
        for (int i = 0; i < value.length(); i++) {
            counts.merge(value.charAt(i), 1, Integer::sum);
        }
        double bits = 0;
        for (int count : counts.values()) {
            double p = (double) count / value.length();
            bits -= p * (Math.log(p) / Math.log(2));
        }
        return bits;
    }

    /** Lower case, upper case, digits, other: how many of these four classes occur. */
    static int characterClasses(CharSequence value) {
        boolean lower = false, upper = false, digit = false, other = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isLowerCase(c)) {
                lower = true;
            } else if (Character.isUpperCase(c)) {
                upper = true;
            } else if (Character.isDigit(c)) {
                digit = true;
            } else {
                other = true;
            }
        }
        return (lower ? 1 : 0) + (upper ? 1 : 0) + (digit ? 1 : 0) + (other ? 1 : 0);
    }

    /**
     * Documentation-style stand-ins ({@code <your-token>}, {@code ${API_KEY}}, {@code xxxx},
     * {@code YOUR_API_KEY}) and identifiers in upper snake case, which name a secret without being one.
     */
    static boolean isPlaceholder(String value) {
        String lower = value.toLowerCase(Locale.ROOT);
        for (String mark : PLACEHOLDER_MARKS) {
            if (lower.contains(mark)) {
                return true;
            }
        }
        return value.matches("[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+") || value.chars().distinct().count() <= 2;
    }
}
