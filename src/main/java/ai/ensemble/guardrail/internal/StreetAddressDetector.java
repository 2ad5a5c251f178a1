package ai.ensemble.guardrail.internal;

import ai.ensemble.guardrail.EntityType;
import ai.ensemble.guardrail.Finding;

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

    private static final String ROMANCE_TYPE = "(?:Rue|Avenue|Boulevard|Bd|Chemin|Allée|Impasse|Quai|Via|Viale|Piazza|Corso|Largo|Calle"
            + "|Avenida|Av\\.|Paseo|Plaza|Carrer|Rua|Travessa|Praça|Strada)";

    private static final String LINKS = "(?:(?:de|del|della|delle|dei|di|da|do|dos|das|du|des|la|le|les|los|las|y|e|d'|l')\\s*)*";

    private static final Pattern CANDIDATE = Pattern.compile(
            "\\b\\d{1,6}[A-Za-z]?(?:-\\d{1,4})?,?\\s+(?:(?:[NSEW]|North|South|East|West)\\.?\\s+)?(?:" + NAME_WORD + "\\s+){1,4}"
                    + ENGLISH_TYPE + "\\b\\.?(?:\\s+(?:[NS][EW]|North|South|East|West)\\b)?" + UNIT + "?" + US_TAIL + "?"
                    + "|\\b\\p{Lu}[\\p{L}-]{3,}" + FUSED_TYPE + "\\s*\\d{1,5}\\s?[a-zA-Z]?\\b" + UNIT + "?"
                    + "|\\b\\p{Lu}[\\p{L}-]{2,}\\s+(?:u\\.|utca|út|ul\\.|ulica)\\s+\\d{1,5}\\.?"
                    + "|\\b\\d{1,5}[a-z]?,?\\s+(?i:" + ROMANCE_TYPE + ")\\s+" + LINKS + NAME_WORD + "(?:\\s+" + NAME_WORD + "){0,3}"
                    + "|\\b" + ROMANCE_TYPE + "\\s+" + LINKS + NAME_WORD + "(?:\\s+" + LINKS + NAME_WORD + "){0,3},?\\s+\\d{1,5}[a-zA-Z]?\\b"
                    + "|\\bP\\.?\\s?O\\.?\\s+Box\\s+\\d{1,6}\\b"
                    + "|\\b(?:PSC|Unit|CMR)\\s+\\d{3,5},?\\s+Box\\s+\\d{3,5}(?:,?\\s+(?:APO|FPO|DPO)\\s+(?:AA|AE|AP)\\s+\\d{5})?");

    private static final ContextWords CONTEXT = new ContextWords("address", "addresses", "live at", "lives at", "living at",
            "located at", "ship to", "shipping", "deliver to", "delivery", "mail to", "residence", "resides", "adresse",
            "anschrift", "wohnhaft", "dirección", "indirizzo", "domicile", "home");

    private final Settings settings;

    public StreetAddressDetector(Settings settings) {
        super("street-address", CANDIDATE);
        this.settings = settings;
    }

    @Override
    Finding validate(Matcher candidate, CharSequence text) {
        double score = settings.score();
        if (CONTEXT.near(text, candidate.start(), candidate.end(), 40, 0)) {
            score += settings.contextBonus();
        }
        return new Finding(id(), EntityType.STREET_ADDRESS, candidate.start(), candidate.end(), clamp(score));
    }
}
