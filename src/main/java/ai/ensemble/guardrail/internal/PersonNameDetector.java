package ai.ensemble.guardrail.internal;

import ai.ensemble.guardrail.Detector;
import ai.ensemble.guardrail.EntityType;
import ai.ensemble.guardrail.Finding;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Person names, where a cue or the dictionary makes them reliable: capitalised words after "my
 * name is", "call me", "Dear", "Regards," …, after a title ({@code Mr.}, {@code Dr}, {@code Frau},
 * {@code Mme} …) or a form label ({@code Name:}, {@code Patient:}), and a given name from
 * {@link FirstNames} followed by a capitalised surname (an initial may sit between). A name without
 * such a cue or a known given name ("Siobhan", alone) is not found: that needs a statistical model.
 */
public final class PersonNameDetector implements Detector {

    /** Scores by how the name was found. */
    public record Settings(double statedName, double title, double label, double salutation, double reported, double dictionary,
            double givenNameAlone) {
        public static Settings defaults() {
            return new Settings(0.85, 0.85, 0.8, 0.7, 0.7, 0.75, 0.55);
        }
    }

    private static final String WORD = "\\p{Lu}[\\p{Ll}\\p{M}'’]+(?:-\\p{Lu}?[\\p{Ll}\\p{M}]+)?";

    private static final String NAME = "(" + WORD + "(?:[ \\t]+(?:\\p{Lu}\\.|" + WORD + ")){0,3})";

    private static final Pattern STATED = Pattern.compile(
            "(?i:my name is|my name's|name is|named|called|call me|ich heiße|ich heisse|je m'appelle|me llamo|mi chiamo)[ \\t]+" + NAME);

    /** Reported speech in news-like text wants two capitalised words: "says Hannah McConnan". */
    private static final Pattern REPORTED = Pattern.compile(
            "(?<![\\p{L}])(?i:says|said|according to|asked|wrote|told|assistant to|interview with)[ \\t]+(" + WORD + "[ \\t]+(?:\\p{Lu}\\.[ \\t]+)?" + WORD + ")");

    /** A lone capitalised word, checked against the dictionary when it does not start a sentence. */
    private static final Pattern LONE_WORD = Pattern.compile("(?<![\\p{L}\\p{M}])\\p{Lu}[\\p{Ll}\\p{M}]+(?:-\\p{Lu}?[\\p{Ll}\\p{M}]+)?(?![\\p{L}\\p{M}])");

    private static final Pattern TITLE = Pattern.compile(
            "(?<![\\p{L}])(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame|Herr|Frau|Mme|Mlle|Madame|Monsieur|Sr|Sra|Srta|Dott|Sig)\\.?[ \\t]+" + NAME);

    private static final Pattern LABEL = Pattern.compile(
            "(?<![\\p{L}])(?i:name|full name|first name|last name|surname|patient|customer|client|employee|applicant|candidate"
                    + "|contact|attn|from|to|cc|author|signed|vorname|nachname|nom|prénom|nombre|apellido)[ \\t]*:[ \\t]*" + NAME);

    private static final Pattern SALUTATION = Pattern.compile(
            "(?<![\\p{L}])(?:(?i:dear|hi|hello|hey|liebe|lieber|hallo|bonjour|hola|ciao)[ \\t]+"
                    + "|(?i:regards|sincerely|thanks|cheers|best|yours|best wishes|kind regards)[ \\t]*,[ \\t]*\\n?[ \\t]*)" + NAME);

    private static final Pattern TOKEN = Pattern.compile("\\S+");

    /** A capitalised word and, in a lookahead so that the next word can still start a match, an optional initial and a surname. */
    private static final Pattern GIVEN_AND_SURNAME = Pattern.compile(
            "(?<![\\p{L}\\p{M}])(\\p{Lu}[\\p{Ll}\\p{M}]+(?:-\\p{Lu}?[\\p{Ll}\\p{M}]+)?)(?=(?:[ \\t]+\\p{Lu}\\.)?[ \\t]+(" + WORD + ")(?![\\p{L}\\p{M}]))");

    /** Capitalised words that end a name or cannot be one. */
    private static final Set<String> NOT_NAMES = Set.copyOf(java.util.Arrays.asList(("""
            The A An And Or But Nor So Yet I Is Was Are Were Be Been In On At To For Of With From By As It Its He She They We
            You Your My Our Their His Her This That These Those What When Where Who Why How Which There Here Not No Yes All Any
            Street St Avenue Ave Road Rd Lane Drive Boulevard Square Place Court Way University College School Hospital Clinic
            Company Inc Ltd Llc Corp Corporation Group Bank Airport Station Park Day Church City County State Island River Lake
            Mountain Hall Museum Library Center Centre Foundation Institute Award Prize Cup Team Club Hotel Restaurant Store
            Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July August September
            October November December Sir Madam Madame Team Customer Customers Colleagues Friends Everyone All Sirs Support Mr
            Mrs Ms Dr Prof Please Thank Thanks Regards Best Kind Dear Hi Hello Sincerely Yours Cheers Smith's Jr Sr Name Note
            Subject Re Fw Fwd Date Phone Email Address Attn Attention World There Guys Folks Again
            """).strip().split("\\s+")));

    private final Settings settings;

    public PersonNameDetector(Settings settings) {
        this.settings = settings;
    }

    @Override
    public String id() {
        return "person-name";
    }

    @Override
    public List<Finding> scan(CharSequence text) {
        List<Finding> findings = new ArrayList<>();
        cued(STATED, text, settings.statedName(), findings);
        cued(TITLE, text, settings.title(), findings);
        cued(LABEL, text, settings.label(), findings);
        cued(SALUTATION, text, settings.salutation(), findings);
        cued(REPORTED, text, settings.reported(), findings);
        Matcher given = GIVEN_AND_SURNAME.matcher(text);
        while (given.find()) {
            String surname = given.group(2);
            if (FirstNames.NAMES.contains(given.group(1)) && !NOT_NAMES.contains(surname)) {
                findings.add(new Finding(id(), EntityType.PERSON, given.start(1), given.end(2), settings.dictionary()));
            }
        }
        Matcher lone = LONE_WORD.matcher(text);
        while (lone.find()) {
            if (FirstNames.NAMES.contains(lone.group()) && insideSentence(text, lone.start())) {
                findings.add(new Finding(id(), EntityType.PERSON, lone.start(), lone.end(), settings.givenNameAlone()));
            }
        }
        return findings;
    }

    /** Whether the word at {@code start} follows a lower-case word or a comma rather than starting a sentence or a line. */
    private static boolean insideSentence(CharSequence text, int start) {
        int at = start - 1;
        while (at >= 0 && (text.charAt(at) == ' ' || text.charAt(at) == '\t')) {
            at--;
        }
        if (at < 0 || at == start - 1) {
            return false;
        }
        char before = text.charAt(at);
        return Character.isLowerCase(before) || before == ',' || before == ';';
    }

    /** The name after a cue, cut at the first word that cannot be part of a name. */
    private void cued(Pattern cue, CharSequence text, double score, List<Finding> findings) {
        Matcher matcher = cue.matcher(text);
        while (matcher.find()) {
            int start = matcher.start(1);
            int end = start;
            Matcher word = TOKEN.matcher(text).region(start, matcher.end(1));
            while (word.find()) {
                if (NOT_NAMES.contains(word.group().replaceAll("[.,]$", ""))) {
                    break;
                }
                end = word.end();
            }
            if (end > start) {
                findings.add(new Finding(id(), EntityType.PERSON, start, end, score));
            }
        }
    }
}
