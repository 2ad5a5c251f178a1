package ai.ensemble.guardrail.internal;

import ai.ensemble.guardrail.EntityType;
import ai.ensemble.guardrail.Finding;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * US social security numbers, {@code AAA-GG-SSSS}. Never issued, so rejected: area 000, 666 or
 * 900–999, group 00, serial 0000, and the numbers printed in advertisements (078-05-1120,
 * 219-09-9999). Written with hyphens the shape is telling; with spaces or none it is just nine
 * digits, scored below the default threshold unless a context word ("SSN", "social security") is near.
 */
public final class UsSsnDetector extends PatternDetector {

    /** Scores by how the number is written, and what a context word adds. */
    public record Settings(double hyphenated, double spaced, double bare, double contextBonus) {
        public static Settings defaults() {
            return new Settings(0.6, 0.4, 0.3, 0.35);
        }
    }

    private static final Pattern CANDIDATE = Pattern.compile("(?=\\d)(?<![\\d-])(\\d{3})([- ]?)(\\d{2})\\2(\\d{4})(?![\\d]|-\\d)");

    private static final ContextWords CONTEXT = new ContextWords("ssn", "ssns", "ss#", "ss #", "social security", "social sec",
            "social-security", "taxpayer", "tin", "itin", "sozialversicherungsnummer");

    private final Settings settings;

    public UsSsnDetector(Settings settings) {
        super("us-ssn", CANDIDATE);
        this.settings = settings;
    }

    @Override
    Finding validate(Matcher candidate, CharSequence text) {
        int area = Integer.parseInt(candidate.group(1));
        int group = Integer.parseInt(candidate.group(3));
        int serial = Integer.parseInt(candidate.group(4));
        String digits = candidate.group(1) + candidate.group(3) + candidate.group(4);
        if (area == 0 || area == 666 || area >= 900 || group == 0 || serial == 0
                || digits.equals("078051120") || digits.equals("219099999") || digits.chars().distinct().count() == 1) {
            return null;
        }
        String separator = candidate.group(2);
        double score = separator.equals("-") ? settings.hyphenated() : separator.equals(" ") ? settings.spaced() : settings.bare();
        if (CONTEXT.near(text, candidate.start(), candidate.end(), 40, 20)) {
            score += settings.contextBonus();
        }
        return new Finding(id(), EntityType.US_SSN, candidate.start(), candidate.end(), clamp(score));
    }
}
