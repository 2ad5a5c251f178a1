package ai.ensemble.guardrail.internal;

import ai.ensemble.guardrail.EntityType;
import ai.ensemble.guardrail.Finding;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * IPv4 addresses (four octets 0–255 without leading zeros) and IPv6 addresses (eight groups of
 * up to four hex digits, or fewer with one {@code ::}). A dotted quad right after a version word
 * ("version 1.2.3.4", "build", "release") is a version, not an address, and is skipped.
 */
public final class IpAddressDetector extends PatternDetector {

    /** {@code score}: any valid address; {@code contextBonus}: "IP", "host", "server" … near it. */
    public record Settings(double score, double contextBonus) {
        public static Settings defaults() {
            return new Settings(0.8, 0.15);
        }
    }

    private static final Pattern CANDIDATE = Pattern.compile(
            "(?=\\d)(?<![\\w.])(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})(?![\\w]|\\.\\d)"
                    + "|(?=[0-9A-Fa-f]{0,4}:)(?<![\\w:.])((?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4})(?![\\w:])");

    private static final ContextWords VERSION = new ContextWords("version", "versions", "ver", "v", "release", "build",
            "firmware", "update", "upgrade", "patch", "sdk", "api level", "android", "ios");

    private static final ContextWords CONTEXT = new ContextWords("ip", "ipv4", "ipv6", "address", "host", "server", "client",
            "gateway", "dns", "subnet", "ping", "ssh", "connect", "connected", "from", "proxy", "router");

    private final Settings settings;

    public IpAddressDetector(Settings settings) {
        super("ip-address", CANDIDATE);
        this.settings = settings;
    }

    /**
     * Tries the pattern only where an address can start: at the beginning of the run of digits,
     * hex letters, dots and colons around each dot after a digit or each colon. Inside such a run
     * the pattern's left-boundary check fails anyway, so this finds what a scan of every position finds.
     */
    @Override
    public List<Finding> scan(CharSequence text) {
        List<Finding> findings = new ArrayList<>();
        Matcher candidate = CANDIDATE.matcher(text).useTransparentBounds(true);
        int scanned = 0;
        for (int i = 1; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean anchor = c == ':' || (c == '.' && Character.isDigit(text.charAt(i - 1)));
            if (!anchor || i < scanned) {
                continue;
            }
            int start = i;
            while (start > scanned && isAddressCharacter(text.charAt(start - 1))) {
                start--;
            }
            for (int at = start; at <= i; at++) { // a run such as "abc.10.0.0.1" has its address after the letters
                if (at > start && isAddressCharacter(text.charAt(at - 1)) && text.charAt(at - 1) != '.' && text.charAt(at - 1) != ':') {
                    continue;
                }
                if (candidate.region(at, text.length()).lookingAt()) {
                    Finding finding = validate(candidate, text);
                    if (finding != null) {
                        findings.add(finding);
                    }
                    scanned = candidate.end();
                    break;
                }
            }
            scanned = Math.max(scanned, i + 1);
        }
        return findings;
    }

    private static boolean isAddressCharacter(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '.' || c == ':';
    }

    @Override
    Finding validate(Matcher candidate, CharSequence text) {
        boolean v4 = candidate.group(1) != null;
        if (v4 ? !validOctets(candidate) : !validIpv6(candidate.group(5))) {
            return null;
        }
        if (v4 && VERSION.near(text, candidate.start(), candidate.end(), 20, 0)) {
            return null;
        }
        double score = settings.score();
        if (CONTEXT.near(text, candidate.start(), candidate.end(), 30, 10)) {
            score += settings.contextBonus();
        }
        return new Finding(id(), EntityType.IP_ADDRESS, candidate.start(), candidate.end(), clamp(score));
    }

    private static boolean validOctets(Matcher candidate) {
        for (int i = 1; i <= 4; i++) {
            String octet = candidate.group(i);
            if ((octet.length() > 1 && octet.charAt(0) == '0') || Integer.parseInt(octet) > 255) {
                return false;
            }
        }
        return true;
    }

    /** Eight groups, or fewer around exactly one {@code ::}; at least two groups so that {@code a::} alone does not count. */
    static boolean validIpv6(String value) {
        int gap = value.indexOf("::");
        if (gap >= 0 && value.indexOf("::", gap + 1) >= 0) {
            return false;
        }
        if (value.contains(":::")) {
            return false;
        }
        List<String> groups = new ArrayList<>();
        for (String part : (gap >= 0 ? value.replace("::", ":@:") : value).split(":", -1)) {
            if (!part.equals("@")) {
                groups.add(part);
            }
        }
        groups.removeIf(part -> part.isEmpty() && gap >= 0);
        for (String group : groups) {
            if (group.isEmpty() || group.length() > 4) {
                return false;
            }
        }
        return gap >= 0 ? groups.size() >= 2 && groups.size() <= 7 : groups.size() == 8;
    }
}
