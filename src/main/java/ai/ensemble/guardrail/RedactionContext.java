package ai.ensemble.guardrail;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The placeholders of one request: the same value gets the same placeholder in every message of
 * the request and in the streamed answer ({@code [EMAIL_1]} each time {@code ann@example.com}
 * appears), a new value of the same type the next number. Create one per request and drop it with
 * the request; it holds the original values. Thread-safe, since a stream may be scanned on another
 * thread than the one that redacted the prompt.
 */
public final class RedactionContext {

    private final Map<String, String> placeholders = new HashMap<>();
    private final Map<EntityType, Integer> counters = new EnumMap<>(EntityType.class);

    /** The placeholder for {@code value} of {@code type}, allocating the next one on first sight. */
    public synchronized String placeholder(EntityType type, String value) {
        return placeholders.computeIfAbsent(type.name() + '\u0000' + canonical(type, value), key -> {
            int next = counters.merge(type, 1, Integer::sum);
            return "[" + type.name() + "_" + next + "]";
        });
    }

    /** How many distinct values have been given placeholders. */
    public synchronized int size() {
        return placeholders.size();
    }

    /**
     * The form under which two spellings count as the same value: separators in numbers do not
     * matter ({@code 4111 1111 1111 1111} = {@code 4111-1111-1111-1111}), nor case in e-mail
     * addresses and IBANs. Other values must match exactly.
     */
    static String canonical(EntityType type, String value) {
        return switch (type) {
            case EMAIL -> value.toLowerCase(Locale.ROOT);
            case PHONE, CREDIT_CARD, US_SSN -> value.replaceAll("[^0-9+]", "");
            case IBAN -> value.replaceAll("\\s", "").toUpperCase(Locale.ROOT);
            default -> value;
        };
    }
}
