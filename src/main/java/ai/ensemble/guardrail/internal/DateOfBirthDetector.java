package ai.ensemble.guardrail.internal;

import ai.ensemble.guardrail.EntityType;
import ai.ensemble.guardrail.Finding;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Dates of birth: a valid calendar date in the past (numeric {@code 12/03/1980}, {@code 1980-03-12},
 * {@code 12.03.1980}, or with a month name in English, German, French, Spanish or Italian:
 * {@code 12 March 1980}, {@code March 12th, 1980}, {@code 12. März 1980}) with a birth word near it
 * ("born", "DOB", "date of birth", "birthday", "geboren", "né le", "nacido" …). A date without such a
 * word is not personal data by itself and is not reported.
 */
public final class DateOfBirthDetector extends PatternDetector {

    /** {@code score}: for a valid date near a birth word; {@code before}, {@code after}: how far the word may be, in characters. */
    public record Settings(double score, int before, int after) {
        public static Settings defaults() {
            return new Settings(0.9, 40, 25);
        }
    }

    private static final Map<String, Integer> MONTHS = months();

    private static final String MONTH_NAME = "(\\p{L}{3,10})\\.?";

    private static final Pattern CANDIDATE = Pattern.compile(
            "(?=\\d)(?<![\\d./-])(\\d{1,2})([./-])(\\d{1,2})\\2(\\d{4}|\\d{2})(?![\\d]|[./-]\\d)"
                    + "|(?=\\d)(?<![\\d./-])(\\d{4})([./-])(\\d{1,2})\\6(\\d{1,2})(?![\\d]|[./-]\\d)"
                    + "|\\b(\\d{1,2})(?:st|nd|rd|th|er|\\.)?\\s+(?:of\\s+|de\\s+)?" + MONTH_NAME + ",?\\s+(?:de\\s+)?(\\d{4})\\b"
                    + "|\\b" + MONTH_NAME + "\\s+(\\d{1,2})(?:st|nd|rd|th)?,?\\s+(\\d{4})\\b");

    private static final ContextWords BIRTH = new ContextWords("born", "birth", "birthday", "birthdate", "dob", "d.o.b", "d.o.b.",
            "b-day", "bday", "date of birth", "geboren", "geb", "geb.", "geburtsdatum", "geburtstag", "né", "née", "né le",
            "date de naissance", "naissance", "anniversaire", "nacido", "nacida", "fecha de nacimiento", "nacimiento", "cumpleaños",
            "nato", "nata", "data di nascita", "compleanno");

    /** Longer than any date the pattern matches ("12th of September, 1980"). */
    private static final int LONGEST_DATE = 40;

    private final Settings settings;

    public DateOfBirthDetector(Settings settings) {
        super("date-of-birth", CANDIDATE);
        this.settings = settings;
    }

    /**
     * Looks for dates only around birth words, which a finding needs anyway: most texts have none
     * and cost one pass over the phrases. Transparent bounds let the pattern's boundary checks see
     * past the region, so a date cut by a region edge is not matched in part.
     */
    @Override
    public List<Finding> scan(CharSequence text) {
        List<int[]> words = BIRTH.occurrences(text);
        if (words.isEmpty()) {
            return List.of();
        }
        words.sort(Comparator.comparingInt(word -> word[0]));
        List<Finding> findings = new ArrayList<>();
        Matcher candidate = CANDIDATE.matcher(text).useTransparentBounds(true);
        int from = -1;
        int to = -1;
        for (int[] word : words) {
            int start = Math.max(0, word[0] - settings.after() - LONGEST_DATE);
            int end = Math.min(text.length(), word[1] + settings.before() + LONGEST_DATE);
            if (start > to) {
                scanRegion(candidate, from, to, text, findings);
                from = start;
            }
            to = Math.max(to, end);
        }
        scanRegion(candidate, from, to, text, findings);
        return findings;
    }

    private void scanRegion(Matcher candidate, int from, int to, CharSequence text, List<Finding> findings) {
        if (from < 0) {
            return;
        }
        candidate.region(from, to);
        while (candidate.find()) {
            Finding finding = validate(candidate, text);
            if (finding != null) {
                findings.add(finding);
            }
        }
    }

    @Override
    Finding validate(Matcher candidate, CharSequence text) {
        if (!validDate(candidate)) {
            return null;
        }
        if (!BIRTH.near(text, candidate.start(), candidate.end(), settings.before(), settings.after())) {
            return null;
        }
        return new Finding(id(), EntityType.DATE_OF_BIRTH, candidate.start(), candidate.end(), settings.score());
    }

    private static boolean validDate(Matcher m) {
        if (m.group(1) != null) { // day and month in either order, as writers in the US and Europe do
            int first = Integer.parseInt(m.group(1));
            int second = Integer.parseInt(m.group(3));
            int year = fullYear(m.group(4));
            return past(year, second, first) || past(year, first, second);
        }
        if (m.group(5) != null) {
            return past(Integer.parseInt(m.group(5)), Integer.parseInt(m.group(7)), Integer.parseInt(m.group(8)));
        }
        if (m.group(9) != null) {
            Integer month = MONTHS.get(m.group(10).toLowerCase(Locale.ROOT));
            return month != null && past(Integer.parseInt(m.group(11)), month, Integer.parseInt(m.group(9)));
        }
        Integer month = MONTHS.get(m.group(12).toLowerCase(Locale.ROOT));
        return month != null && past(Integer.parseInt(m.group(14)), month, Integer.parseInt(m.group(13)));
    }

    /** Two-digit years are read as the most recent past one (on a birth-date form, "80" is 1980). */
    private static int fullYear(String year) {
        if (year.length() == 4) {
            return Integer.parseInt(year);
        }
        int value = Integer.parseInt(year);
        int thisYear = LocalDate.now().getYear();
        return value + 2000 <= thisYear ? value + 2000 : value + 1900;
    }

    private static boolean past(int year, int month, int day) {
        try {
            LocalDate date = LocalDate.of(year, month, day);
            return year >= 1900 && !date.isAfter(LocalDate.now());
        } catch (DateTimeException invalid) {
            return false;
        }
    }

    private static Map<String, Integer> months() {
        String[][] names = {
            {"january", "jan", "januar", "jänner", "janvier", "janv", "enero", "ene", "gennaio", "genn"},
            {"february", "feb", "februar", "février", "févr", "fevrier", "febrero", "febbraio"},
            {"march", "mar", "märz", "maerz", "mars", "marzo"},
            {"april", "apr", "avril", "avr", "abril", "aprile"},
            {"may", "mai", "mayo", "maggio", "mag"},
            {"june", "jun", "juni", "juin", "junio", "giugno", "giu"},
            {"july", "jul", "juli", "juillet", "juil", "julio", "luglio", "lug"},
            {"august", "aug", "août", "aout", "agosto", "ago"},
            {"september", "sep", "sept", "septembre", "septiembre", "settembre", "set"},
            {"october", "oct", "oktober", "okt", "octobre", "octubre", "ottobre", "ott"},
            {"november", "nov", "novembre", "noviembre"},
            {"december", "dec", "dezember", "dez", "décembre", "déc", "diciembre", "dic", "dicembre"},
        };
        Map<String, Integer> months = new java.util.HashMap<>();
        for (int i = 0; i < names.length; i++) {
            for (String name : names[i]) {
                months.put(name, i + 1);
            }
        }
        return Map.copyOf(months);
    }
}
