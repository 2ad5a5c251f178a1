package ai.ensemble.guardrail.internal;

import ai.ensemble.guardrail.EntityType;
import ai.ensemble.guardrail.Finding;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Street addresses, where their shape gives them away:
 * <ul>
 * <li>house number, capitalised street name and a street-type word, optionally a unit and a US
 * "City, ST 12345" tail: {@code 221B Baker Street}, {@code 1600 Pennsylvania Ave NW, Suite 4};</li>
 * <li>a street name ending in a street-type word of German, Dutch, Nordic, Finnish or Central
 * European languages, then the number: {@code Hauptstraße 5}, {@code Koskikatu 25}, {@code Király u. 15};</li>
 * <li>a Romance street-type word with a number before or after: {@code 12 rue de la Paix},
 * {@code Via Roma 15}, {@code Calle Mayor, 3};</li>
 * <li>post-office boxes and US military addresses: {@code P.O. Box 123}, {@code PSC 1234, Box 5678}.</li>
 * </ul>
 * A bare city or country is not an address for this detector.
 */
public final class StreetAddressDetector extends PatternDetector {

    /** {@code score}: for any of the shapes; {@code contextBonus}: "address", "live at", "ship to" … before it. */
    public record Settings(double score, double contextBonus) {
        public static Settings defaults() {
            return new Settings(0.8, 0.15);
        }
    }

    private static final String NAME_WORD = "\\p{Lu}[\\p{L}'’.-]*";

    private static final String ENGLISH_TYPE = "(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Place|Pl"
            + "|Square|Sq|Terrace|Ter|Way|Parkway|Pkwy|Highway|Hwy|Circle|Cir|Trail|Trl|Crescent|Cres|Close|Row|Alley|Plaza"
            + "|Gardens|Grove|Mews|Walk|Broadway|Expressway|Freeway|Turnpike|Pike|Loop|Path|Hill)";

    private static final String UNIT = "(?:,?\\s*(?:Apt|Apartment|Suite|Ste|Unit|Floor|Fl|Room|Rm|Flat|#)\\.?\\s*#?[A-Za-z]?\\d{1,5}[A-Za-z]?)";

    private static final String US_TAIL = "(?:,\\s*\\p{Lu}[\\p{L}]+(?:\\s\\p{Lu}[\\p{L}]+){0,2},\\s*[A-Z]{2}\\s+\\d{5}(?:-\\d{4})?)";

    private static final String FUSED_TYPE = "(?:straße|strasse|str\\.|gasse|weg|platz|allee|damm|ufer|chaussee|katu|tie|vägen|gatan"
            + "|vej|gade|veien|vegen|straat|laan|plein|gracht|kade|utca|ulica|cesta|ulice|náměstí|trida)";

    /** Street-type words written apart from the name, then the house number: {@code Villacher Strasse 89}, {@code Trenerys gate 232}. */
    private static final String SEPARATE_TYPE = "(?:Strasse|Straße|Str\\.|Gasse|Weg|Allee|Platz|Ring|Damm|Ufer|straße|strasse|gasse|weg|allee|platz"
            + "|gate|vei|veg|vej|gade|gata|gatan|vägen|katu|tie|straat|laan|utca|ulica|ul\\.|cesta|ulice|náměstí)";

    private static final String ROMANCE_TYPE = "(?:Rue|Avenue|Boulevard|Bd|Chemin|Allée|Impasse|Quai|Via|Viale|Piazza|Corso|Largo|Calle"
            + "|Avenida|Av\\.|Paseo|Plaza|Carrer|Rua|Travessa|Praça|Strada)";

    private static final String LINKS = "(?:(?:de|del|della|delle|dei|di|da|do|dos|das|du|des|la|le|les|los|las|y|e|d'|l')\\s*)*";

    private static final Pattern CANDIDATE = Pattern.compile(
            // Every shape starts with a digit or a capital: one cheap test turns away all other positions.
            "(?=[\\d\\p{Lu}])(?:"
                    + "\\b\\d{1,6}[A-Za-z]?(?:-\\d{1,4})?,?\\s+(?:(?:[NSEW]|North|South|East|West)\\.?\\s+)?(?:" + NAME_WORD + "\\s+){1,4}"
                    + ENGLISH_TYPE + "\\b\\.?(?:\\s+(?:[NS][EW]|North|South|East|West)\\b)?" + UNIT + "?" + US_TAIL + "?"
                    + "|\\b\\d{1,5}[a-z]?,?\\s+(?i:" + ROMANCE_TYPE + ")\\s+" + LINKS + NAME_WORD + "(?:\\s+" + NAME_WORD + "){0,3}"
                    // Name-first shapes all end in a house number: only words with one at most six words behind them are tried.
                    + "|\\b(?=\\p{Lu}[\\p{L}'’.-]*+(?:[ \\t]+[\\p{L}'’.-]++){0,5}+,?[ \\t]*\\d)(?:"
                    + "\\p{Lu}[\\p{L}-]{3,}" + FUSED_TYPE + "\\s*\\d{1,5}\\s?[a-zA-Z]?\\b" + UNIT + "?"
                    + "|\\p{Lu}[\\p{L}-]{2,}\\s+(?:u\\.|utca|út|ul\\.|ulica)\\s+\\d{1,5}\\.?"
                    + "|" + ROMANCE_TYPE + "\\s+" + LINKS + NAME_WORD + "(?:\\s+" + LINKS + NAME_WORD + "){0,3},?\\s+\\d{1,5}[a-zA-Z]?\\b"
                    + "|\\p{Lu}[\\p{L}-]+(?:[ \\t]+\\p{Lu}[\\p{L}-]+)?[ \\t]+" + SEPARATE_TYPE + "[ \\t]+\\d{1,5}[a-zA-Z]?\\b"
                    + "|\\p{Lu}[\\p{L}'-]+(?:[ \\t]+\\p{Lu}[\\p{L}'-]+){0,2}[ \\t]+\\d{1,5}[a-zA-Z]?" + UNIT
                    + "|\\p{Lu}[\\p{L}'-]+(?:[ \\t]+\\p{Lu}[\\p{L}'-]+){0,2}[ \\t]+\\d{1,5}[a-zA-Z]?,?[ \\t]+(?:[A-Z]{1,2}-)?\\d{4,5}[ \\t]+\\p{Lu}\\p{L}+)"
                    + "|\\bP\\.?\\s?O\\.?\\s+Box\\s+\\d{1,6}\\b"
                    + "|\\b(?:PSC|Unit|CMR)\\s+\\d{3,5},?\\s+Box\\s+\\d{3,5}(?:,?\\s+(?:APO|FPO|DPO)\\s+(?:AA|AE|AP)\\s+\\d{5})?)");

    private static final ContextWords CONTEXT = new ContextWords("address", "addresses", "live at", "lives at", "living at",
            "located at", "ship to", "shipping", "deliver to", "delivery", "mail to", "residence", "resides", "adresse",
            "anschrift", "wohnhaft", "dirección", "indirizzo", "domicile", "home");

    /** After an address cue, a name and a house number are enough: "lives at Joaquin Suarez 2906", "corner of Nieuwe Baan 473". */
    private static final Pattern CUED = Pattern.compile(
            "(?<![\\p{L}])(?=[AaCcDdLlMmRrSs])(?i:address(?:es)?(?:\\s+is)?\\s*:?|lives?\\s+(?:at|on)|living\\s+at|located\\s+at|ship(?:ped)?\\s+to|deliver(?:ed)?\\s+to"
                    + "|send\\s+(?:it\\s+)?to|mail(?:ed)?\\s+to|corner\\s+of|resides\\s+at|arrived\\s+at|meet\\s+(?:you|me)\\s+at)[ \\t]+"
                    + "((?:the\\s+corner\\s+of\\s+)?(?:\\d{1,6}[ \\t]+)?\\p{Lu}[\\p{L}'.-]*(?:[ \\t]+[\\p{L}'.-]+){0,3}[ \\t]+\\d{1,5}[a-zA-Z]?\\b)");

    /** A line under a street line: a unit, or a town, region or country, ending in a postal code or not. */
    private static final Pattern TAIL_LINE = Pattern.compile(
            "[ \\t]*,?[ \\t]*\\n?[ \\t>?]*(?:(?:Apt|Apartment|Suite|Ste|Unit|Flat|Floor)\\.?[ \\t]*\\d{1,5}"
                    + "|\\p{Lu}[\\p{L}'.()-]*(?:[ \\t]+[\\p{L}'.()-]+){0,3}(?:,?[ \\t]+(?:[A-Z]{2}[ \\t]+)?\\d{4,6}(?:-\\d{3,4})?)?)");

    private static final Pattern POSTAL_END = Pattern.compile(".*(?:\\d{4,6}(?:-\\d{3,4})?|(?:Apt|Apartment|Suite|Ste|Unit|Flat|Floor)\\.?[ \\t]*\\d{1,5})", Pattern.DOTALL);

    /** How far the tail may reach past the street line, within the stream scanner's window. */
    private static final int MAX_TAIL = 80;

    private final Settings settings;

    public StreetAddressDetector(Settings settings) {
        super("street-address", CANDIDATE);
        this.settings = settings;
    }

    /**
     * Every shape holds a digit, and no match reaches further than this before its first digit or
     * after its last one (six words of a street name before the number; names, a street type and a
     * direction after it), so the pattern is tried only in windows around digits.
     */
    private static final int REACH_BEFORE_DIGIT = 160;
    private static final int REACH_AFTER_DIGIT = 200;

    @Override
    public List<Finding> scan(CharSequence text) {
        List<Finding> findings = new ArrayList<>();
        Matcher candidate = CANDIDATE.matcher(text).useTransparentBounds(true);
        int from = -1;
        int to = -1;
        for (int i = 0; i < text.length(); i++) {
            if (!Character.isDigit(text.charAt(i))) {
                continue;
            }
            int start = Math.max(0, i - REACH_BEFORE_DIGIT);
            if (start > to) {
                scanWindow(candidate, from, to, text, findings);
                from = start;
            }
            to = Math.min(text.length(), i + REACH_AFTER_DIGIT);
        }
        scanWindow(candidate, from, to, text, findings);
        findings.addAll(cued(text));
        return findings;
    }

    /** Addresses after an address cue ("lives at …"), which need no street word. */
    List<Finding> cued(CharSequence text) {
        List<Finding> findings = new ArrayList<>();
        Matcher cued = CUED.matcher(text);
        while (cued.find()) {
            findings.add(new Finding(id(), EntityType.STREET_ADDRESS, cued.start(1), withTail(text, cued.end(1)),
                    clamp(settings.score() + settings.contextBonus())));
        }
        return findings;
    }

    private void scanWindow(Matcher candidate, int from, int to, CharSequence text, List<Finding> findings) {
        if (from < 0) {
            return;
        }
        candidate.region(from, to);
        while (candidate.find()) {
            findings.add(validate(candidate, text));
        }
    }

    @Override
    Finding validate(Matcher candidate, CharSequence text) {
        double score = settings.score();
        if (CONTEXT.near(text, candidate.start(), candidate.end(), 40, 0)) {
            score += settings.contextBonus();
        }
        return new Finding(id(), EntityType.STREET_ADDRESS, candidate.start(), withTail(text, candidate.end()), clamp(score));
    }

    /**
     * Extends a street line over the lines of an address block below or after it (unit, town, region,
     * country) as far as the last one that ends in a postal code or is a unit, at most {@link #MAX_TAIL}
     * characters: {@code 14 Crown Street⏎ Suite 321⏎ LONDON⏎ United Kingdom 75419}.
     */
    private static int withTail(CharSequence text, int end) {
        int limit = Math.min(text.length(), end + MAX_TAIL);
        Matcher line = TAIL_LINE.matcher(text).region(end, limit);
        int at = end;
        int extended = end;
        for (int lines = 0; lines < 4 && line.region(at, limit).lookingAt() && line.end() > at; lines++) {
            at = line.end();
            if (POSTAL_END.matcher(line.group()).matches()) {
                extended = at;
            }
        }
        return extended;
    }
}
