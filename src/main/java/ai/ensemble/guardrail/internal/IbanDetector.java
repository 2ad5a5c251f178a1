package ai.ensemble.guardrail.internal;

import ai.ensemble.guardrail.EntityType;
import ai.ensemble.guardrail.Finding;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * International bank account numbers: a country code, two check digits and the country's BBAN,
 * optionally in groups separated by single spaces. The length must be the country's (ISO 13616
 * registry) and the mod-97 check must hold, which leaves one random string in about 97 × (length
 * mismatch) through.
 */
public final class IbanDetector extends PatternDetector {

    /** {@code score}: for a valid IBAN. */
    public record Settings(double score) {
        public static Settings defaults() {
            return new Settings(0.95);
        }
    }

    /** The start of a candidate: country code and check digits, then the BBAN is read by hand. */
    private static final Pattern CANDIDATE = Pattern.compile("(?=[A-Za-z]{2}\\d)(?<![A-Za-z0-9])([A-Za-z]{2})(\\d{2})(?= ?[A-Za-z0-9])");

    /** IBAN length by country, from the public SWIFT IBAN registry. */
    private static final Map<String, Integer> LENGTHS = Map.ofEntries(
            Map.entry("AD", 24), Map.entry("AE", 23), Map.entry("AL", 28), Map.entry("AT", 20), Map.entry("AZ", 28),
            Map.entry("BA", 20), Map.entry("BE", 16), Map.entry("BG", 22), Map.entry("BH", 22), Map.entry("BR", 29),
            Map.entry("BY", 28), Map.entry("CH", 21), Map.entry("CR", 22), Map.entry("CY", 28), Map.entry("CZ", 24),
            Map.entry("DE", 22), Map.entry("DK", 18), Map.entry("DO", 28), Map.entry("EE", 20), Map.entry("EG", 29),
            Map.entry("ES", 24), Map.entry("FI", 18), Map.entry("FO", 18), Map.entry("FR", 27), Map.entry("GB", 22),
            Map.entry("GE", 22), Map.entry("GI", 23), Map.entry("GL", 18), Map.entry("GR", 27), Map.entry("GT", 28),
            Map.entry("HR", 21), Map.entry("HU", 28), Map.entry("IE", 22), Map.entry("IL", 23), Map.entry("IQ", 23),
            Map.entry("IS", 26), Map.entry("IT", 27), Map.entry("JO", 30), Map.entry("KW", 30), Map.entry("KZ", 20),
            Map.entry("LB", 28), Map.entry("LC", 32), Map.entry("LI", 21), Map.entry("LT", 20), Map.entry("LU", 20),
            Map.entry("LV", 21), Map.entry("MC", 27), Map.entry("MD", 24), Map.entry("ME", 22), Map.entry("MK", 19),
            Map.entry("MR", 27), Map.entry("MT", 31), Map.entry("MU", 30), Map.entry("NL", 18), Map.entry("NO", 15),
            Map.entry("PK", 24), Map.entry("PL", 28), Map.entry("PS", 29), Map.entry("PT", 25), Map.entry("QA", 29),
            Map.entry("RO", 24), Map.entry("RS", 22), Map.entry("SA", 24), Map.entry("SC", 31), Map.entry("SE", 24),
            Map.entry("SI", 19), Map.entry("SK", 24), Map.entry("SM", 27), Map.entry("ST", 25), Map.entry("SV", 28),
            Map.entry("TL", 23), Map.entry("TN", 24), Map.entry("TR", 26), Map.entry("UA", 29), Map.entry("VA", 22),
            Map.entry("VG", 24), Map.entry("XK", 20));

    private final Settings settings;

    public IbanDetector(Settings settings) {
        super("iban", CANDIDATE);
        this.settings = settings;
    }

    @Override
    Finding validate(Matcher candidate, CharSequence text) {
        Integer length = LENGTHS.get(candidate.group(1).toUpperCase(Locale.ROOT));
        if (length == null) {
            return null;
        }
        StringBuilder iban = new StringBuilder(candidate.group().toUpperCase(Locale.ROOT));
        int at = candidate.end();
        while (iban.length() < length && at < text.length()) {
            char c = text.charAt(at);
            if (c == ' ' && at + 1 < text.length() && isAlphanumeric(text.charAt(at + 1)) && isAlphanumeric(text.charAt(at - 1))) {
                at++;
                continue;
            }
            if (!isAlphanumeric(c)) {
                break;
            }
            iban.append(Character.toUpperCase(c));
            at++;
        }
        if (iban.length() != length || (at < text.length() && isAlphanumeric(text.charAt(at))) || !Checksums.ibanMod97(iban.toString())) {
            return null;
        }
        return new Finding(id(), EntityType.IBAN, candidate.start(), at, settings.score());
    }

    private static boolean isAlphanumeric(char c) {
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    }
}
