package ai.ensemble.guardrail.internal;

import ai.ensemble.guardrail.EntityType;
import ai.ensemble.guardrail.Finding;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Telephone numbers: international ({@code +44 20 7946 0958}, {@code +14155552671}, {@code 0044 …})
 * and national formats whose digit groups are split by spaces, hyphens or dots, with the area code
 * optionally in parentheses ({@code (415) 555-2671}, {@code 030 12345678}, {@code 01 23 45 67 89}).
 * The validator wants 7–15 digits in a plausible structure and rejects what merely looks like one:
 * dates ({@code 2024-03-15}, {@code 15.03.2024}), year ranges, versions, digit strings after an ID
 * cue ("order", "invoice", "#"), amounts after a currency sign and the SSN shape {@code 123-45-6789}.
 * Bare digit strings and short local numbers score below the default threshold unless a phone word
 * ("phone", "call", "tel", "mobile" …) is near.
 */
public final class PhoneDetector extends PatternDetector {

    /**
     * {@code international}: with a {@code +} or {@code 00} country prefix; {@code national}: grouped,
     * at least 9 digits; {@code shortOrBare}: 7–8 digits or no separators; {@code contextBonus}: a
     * phone word within 40 characters before or 20 after.
     */
    public record Settings(double international, double national, double shortOrBare, double contextBonus) {
        public static Settings defaults() {
            return new Settings(0.85, 0.7, 0.4, 0.25);
        }
    }

    private static final Pattern CANDIDATE = Pattern.compile(
            "(?=[+(\\d])(?<![\\w+.,/:#@$€£¥-])(?:\\+|\\b00)?\\(?\\d[\\d ().-]{4,22}\\d(?![\\w/:@%]|[.,-]\\d)");

    private static final ContextWords PHONE = new ContextWords("phone", "phones", "telephone", "tel", "tel.", "mobile", "cell",
            "cellphone", "call", "calling", "called", "fax", "contact", "reach", "whatsapp", "sms", "text me", "dial",
            "hotline", "telefon", "telefonnummer", "handy", "mobil", "téléphone", "tél", "portable", "teléfono", "telefono",
            "móvil", "cellulare", "ring");

    private static final ContextWords IDENTIFIER = new ContextWords("order", "invoice", "ref", "reference", "id", "ticket",
            "isbn", "issn", "serial", "tracking", "account", "acct", "case", "version", "build", "po", "sku", "item", "part",
            "no", "nr", "zip", "postcode", "postal", "patent", "doi", "arxiv", "page", "pages", "license", "licence", "passport",
            "ssn", "social security", "iban", "routing", "card");

    /** Words right after a number that make it a quantity: "100 000 000 users", "2 500 000 EUR". */
    private static final ContextWords QUANTITY = new ContextWords("eur", "euro", "euros", "usd", "dollars", "chf", "gbp", "people",
            "users", "persons", "km", "kg", "mb", "gb", "tb", "tokens", "words", "years", "times", "rows", "items", "units");

    private final Settings settings;

    public PhoneDetector(Settings settings) {
        super("phone", CANDIDATE);
        this.settings = settings;
    }

    @Override
    Finding validate(Matcher candidate, CharSequence text) {
        int start = candidate.start();
        int end = candidate.end();
        String value = candidate.group();
        // A trailing ")" without its "(" belongs to the prose around the number.
        if (value.endsWith(")") && value.indexOf('(') < 0) {
            return null;
        }
        List<String> groups = new ArrayList<>();
        List<String> separators = new ArrayList<>();
        boolean international = value.startsWith("+") || value.startsWith("00");
        if (!split(value.startsWith("+") ? value.substring(1) : value, groups, separators)) {
            return null;
        }
        int digits = groups.stream().mapToInt(String::length).sum();
        if (digits < 7 || digits > 15 || looksLikeDate(groups, separators) || looksLikeVersion(groups, separators)
                || ssnShape(groups, separators) || groups.getLast().length() < 2) {
            return null;
        }
        boolean phoneWord = PHONE.near(text, start, end, 40, 20);
        if (!phoneWord && (IDENTIFIER.near(text, start, end, 25, 0) || QUANTITY.near(text, start, end, 0, 12)
                || groups.stream().allMatch(PhoneDetector::year))) {
            return null;
        }
        double score;
        if (international && digits >= 8) {
            score = settings.international();
        } else if (groups.size() >= 2 && digits >= 9) {
            score = settings.national();
        } else {
            score = settings.shortOrBare();
        }
        if (phoneWord) {
            score += settings.contextBonus();
        }
        return new Finding(id(), EntityType.PHONE, start, end, clamp(score));
    }

    /**
     * Splits into digit groups and the separators between them; false where the punctuation is not
     * a phone number's: two separators in a row (other than around a parenthesis), unbalanced or
     * misplaced parentheses, or hyphens mixed with dots.
     */
    private static boolean split(String value, List<String> groups, List<String> separators) {
        int i = 0;
        int opened = 0;
        int parentheses = 0;
        StringBuilder separator = new StringBuilder();
        while (i < value.length()) {
            char c = value.charAt(i);
            if (Character.isDigit(c)) {
                int from = i;
                while (i < value.length() && Character.isDigit(value.charAt(i))) {
                    i++;
                }
                if (!groups.isEmpty()) {
                    separators.add(separator.toString());
                }
                separator.setLength(0);
                groups.add(value.substring(from, i));
                continue;
            }
            if (c == '(') {
                if (parentheses++ > 0 || groups.size() > 1) {
                    return false;
                }
                opened++;
            } else if (c == ')') {
                if (--opened < 0) {
                    return false;
                }
            }
            separator.append(c);
            i++;
        }
        if (opened != 0) {
            return false;
        }
        boolean hyphen = false;
        boolean dot = false;
        for (String s : separators) {
            String plain = s.replace("(", "").replace(")", "");
            if (plain.length() > 1 || (s.length() > 2)) {
                return false;
            }
            hyphen |= plain.equals("-");
            dot |= plain.equals(".");
        }
        return !(hyphen && dot);
    }

    private static boolean looksLikeDate(List<String> groups, List<String> separators) {
        if (groups.size() == 2 && groups.get(0).length() == 4 && groups.get(1).length() == 4) {
            return year(groups.get(0)) && year(groups.get(1)); // 1990-2005
        }
        if (groups.size() != 3) {
            return false;
        }
        String a = groups.get(0), b = groups.get(1), c = groups.get(2);
        if (a.length() == 4 && b.length() <= 2 && c.length() <= 2) {
            return year(a) && Integer.parseInt(b) <= 12 && Integer.parseInt(c) <= 31;
        }
        if (c.length() == 4 && a.length() <= 2 && b.length() <= 2) {
            int first = Integer.parseInt(a), second = Integer.parseInt(b);
            return year(c) && first >= 1 && second >= 1 && first <= 31 && second <= 31 && (first <= 12 || second <= 12);
        }
        return false;
    }

    private static boolean year(String digits) {
        return digits.length() == 4 && Integer.parseInt(digits) >= 1900 && Integer.parseInt(digits) <= 2099;
    }

    /** Dotted numbers whose groups are not all at least two digits long: 10.0.19041.1, 3.12.1.2024. */
    private static boolean looksLikeVersion(List<String> groups, List<String> separators) {
        boolean dotted = separators.stream().anyMatch(s -> s.contains("."));
        return dotted && groups.stream().anyMatch(group -> group.length() < 2);
    }

    private static boolean ssnShape(List<String> groups, List<String> separators) {
        return groups.size() == 3 && groups.get(0).length() == 3 && groups.get(1).length() == 2 && groups.get(2).length() == 4
                && separators.stream().allMatch(s -> s.equals("-"));
    }
}
