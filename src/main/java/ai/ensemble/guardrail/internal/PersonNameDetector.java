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

    /**
     * Every cue in one pattern (one pass over the text); the group that matched says which: stated
     * ("my name is"), title ("Dr."), form label ("Name:"), salutation ("Dear", "Regards,"), reported
     * speech ("says"), which wants two capitalised words ("says Hannah McConnan").
     */
    private static final Pattern CUES = Pattern.compile("(?<![\\p{L}])(?:"
            + "(?<stated>(?i:my name is|my name's|name is|named|called|call me|ich heiße|ich heisse|je m'appelle|me llamo|mi chiamo))[ \\t]+"
            + "|(?<title>Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame|Herr|Frau|Mme|Mlle|Madame|Monsieur|Sr|Sra|Srta|Dott|Sig)\\.?[ \\t]+"
            + "|(?<label>(?i:name|full name|first name|last name|surname|patient|customer|client|employee|applicant|candidate"
            + "|contact|attn|from|to|cc|author|signed|vorname|nachname|nom|prénom|nombre|apellido))[ \\t]*:[ \\t]*"
            + "|(?<salutation>(?i:dear|hi|hello|hey|liebe|lieber|hallo|bonjour|hola|ciao)[ \\t]+"
            + "|(?i:regards|sincerely|thanks|cheers|best|yours|best wishes|kind regards)[ \\t]*,[ \\t]*\\n?[ \\t]*)"
            + "|(?<reported>(?i:says|said|according to|asked|wrote|told|assistant to|interview with))[ \\t]+"
            + ")(?<name>" + NAME + ")");

    /** A capitalised word: a given name if the dictionary has it. */
    private static final Pattern LONE_WORD = Pattern.compile("(?=\\p{Lu})(?<![\\p{L}\\p{M}])\\p{Lu}[\\p{Ll}\\p{M}]+(?:-\\p{Lu}?[\\p{Ll}\\p{M}]+)?(?![\\p{L}\\p{M}])");

    /** After a given name: an optional initial and a capitalised surname. */
    private static final Pattern SURNAME = Pattern.compile("(?:[ \\t]+\\p{Lu}\\.)?[ \\t]+(" + WORD + ")(?![\\p{L}\\p{M}])");

    private static final Pattern TOKEN = Pattern.compile("\\S+");

    /** Any word; the cue pattern is tried only where one of {@link #CUE_STARTS} begins. */
    private static final Pattern ANY_WORD = Pattern.compile("\\p{L}+");

    /** The first words of the cues, lower case: trying the cue pattern at every position is five times slower. */
    private static final Set<String> CUE_STARTS = Set.copyOf(java.util.Arrays.asList(("""
            my name named called call ich je me mi mr mrs ms miss mx dr prof sir dame herr frau mme mlle madame monsieur sr sra srta
            dott sig full first last surname patient customer client employee applicant candidate contact attn from to cc author
            signed vorname nachname nom prénom nombre apellido dear hi hello hey liebe lieber hallo bonjour hola ciao regards
            sincerely thanks cheers best yours kind says said according asked wrote told assistant interview
            """).strip().split("\\s+")));

    /** How far past its first word a cue and its name may reach. */
    private static final int CUE_REACH = 120;

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
        Matcher cue = CUES.matcher(text).useTransparentBounds(true);
        Matcher any = ANY_WORD.matcher(text);
        while (any.find()) {
            if (CUE_STARTS.contains(any.group().toLowerCase(java.util.Locale.ROOT))
                    && cue.region(any.start(), Math.min(text.length(), any.start() + CUE_REACH)).lookingAt()) {
                cued(cue, text, findings);
            }
        }
        Matcher word = LONE_WORD.matcher(text);
        Matcher surname = SURNAME.matcher(text);
        while (word.find()) {
            if (!FirstNames.NAMES.contains(word.group())) {
                continue;
            }
            if (surname.region(word.end(), text.length()).lookingAt() && !NOT_NAMES.contains(surname.group(1))) {
                findings.add(new Finding(id(), EntityType.PERSON, word.start(), surname.end(1), settings.dictionary()));
            } else if (word.end() - word.start() >= 4 && insideSentence(text, word.start())) { // "Jun", "Min", "Li": too often not a name alone
                findings.add(new Finding(id(), EntityType.PERSON, word.start(), word.end(), settings.givenNameAlone()));
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
    private void cued(Matcher cue, CharSequence text, List<Finding> findings) {
        double score = cue.group("stated") != null ? settings.statedName() : cue.group("title") != null ? settings.title()
                : cue.group("label") != null ? settings.label() : cue.group("salutation") != null ? settings.salutation() : settings.reported();
        int start = cue.start("name");
        int end = start;
        int words = 0;
        Matcher word = TOKEN.matcher(text).region(start, cue.end("name"));
        while (word.find()) {
            if (NOT_NAMES.contains(word.group().replaceAll("[.,]$", ""))) {
                break;
            }
            end = word.end();
            words++;
        }
        if (end > start && (cue.group("reported") == null || words >= 2)) {
            findings.add(new Finding(id(), EntityType.PERSON, start, end, score));
        }
    }
}
