package ai.ensemble.guardrail.internal;

import ai.ensemble.guardrail.EntityType;
import ai.ensemble.guardrail.Finding;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Payment card numbers: 12 to 19 digits, optionally grouped by one kind of separator (space or
 * hyphen), that pass the Luhn check and start with an issuer prefix (IIN) whose network issues
 * numbers of that length. A random digit string passes Luhn one time in ten, so the prefix and
 * length table and the context words carry much of the precision.
 */
public final class CreditCardDetector extends PatternDetector {

    /**
     * {@code grouped}: score for a valid number written with separators; {@code bare}: without;
     * {@code contextBonus}: added when a card word ("card", "visa", "cc" …) is near.
     */
    public record Settings(double grouped, double bare, double contextBonus) {
        public static Settings defaults() {
            return new Settings(0.9, 0.75, 0.1);
        }
    }

    private static final Pattern CANDIDATE = Pattern.compile("(?=\\d)(?<![\\d.,/-])\\d(?:[ -]?\\d){11,18}(?!\\d|[.,/-]\\d)");

    private static final ContextWords CONTEXT = new ContextWords("card", "credit", "debit", "visa", "mastercard", "amex",
            "american express", "discover", "diners", "jcb", "maestro", "unionpay", "cc", "ccn", "pan", "kreditkarte", "karte",
            "carte", "tarjeta", "carta", "payment", "pay", "expiry", "cvv");

    /** Issuer prefixes: inclusive prefix range (same number of digits) and the lengths that network issues. */
    private record Issuer(int low, int high, int minLength, int maxLength) {
        boolean matches(String digits) {
            int width = String.valueOf(low).length();
            int prefix = Integer.parseInt(digits.substring(0, width));
            return prefix >= low && prefix <= high && digits.length() >= minLength && digits.length() <= maxLength;
        }
    }

    private static final Issuer[] ISSUERS = {
        new Issuer(4, 4, 13, 19),            // Visa (13, 16, 19 in practice)
        new Issuer(51, 55, 16, 16),          // Mastercard
        new Issuer(2221, 2720, 16, 16),      // Mastercard 2-series
        new Issuer(34, 34, 15, 15),          // American Express
        new Issuer(37, 37, 15, 15),
        new Issuer(6011, 6011, 16, 19),      // Discover
        new Issuer(644, 649, 16, 19),
        new Issuer(65, 65, 16, 19),
        new Issuer(300, 305, 14, 19),        // Diners Club
        new Issuer(3095, 3095, 14, 19),
        new Issuer(36, 36, 14, 19),
        new Issuer(38, 39, 14, 19),
        new Issuer(3528, 3589, 16, 19),      // JCB
        new Issuer(2131, 2131, 15, 15),      // JCB, older 15-digit numbers
        new Issuer(1800, 1800, 15, 15),
        new Issuer(62, 62, 16, 19),          // UnionPay
        new Issuer(2200, 2204, 16, 19),      // Mir
        new Issuer(50, 50, 12, 19),          // Maestro
        new Issuer(56, 58, 12, 19),
        new Issuer(6304, 6304, 12, 19),
        new Issuer(6759, 6759, 12, 19),
        new Issuer(6761, 6763, 12, 19),
    };

    private final Settings settings;

    public CreditCardDetector(Settings settings) {
        super("credit-card", CANDIDATE);
        this.settings = settings;
    }

    @Override
    Finding validate(Matcher candidate, CharSequence text) {
        String value = candidate.group();
        boolean spaces = value.indexOf(' ') >= 0;
        boolean hyphens = value.indexOf('-') >= 0;
        if (spaces && hyphens) {
            return null;
        }
        String digits = value.replaceAll("[ -]", "");
        if (!Checksums.luhn(digits) || !knownIssuer(digits) || digits.chars().distinct().count() < 2) {
            return null;
        }
        double score = spaces || hyphens ? settings.grouped() : settings.bare();
        if (CONTEXT.near(text, candidate.start(), candidate.end(), 40, 20)) {
            score += settings.contextBonus();
        }
        return new Finding(id(), EntityType.CREDIT_CARD, candidate.start(), candidate.end(), clamp(score));
    }

    static boolean knownIssuer(String digits) {
        for (Issuer issuer : ISSUERS) {
            if (issuer.matches(digits)) {
                return true;
            }
        }
        return false;
    }
}
