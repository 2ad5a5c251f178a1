package ai.ensemble.guardrail;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Texts for detector properties: what detectors look for (card numbers, e-mail addresses, key
 * prefixes, PEM lines, context words), odd Unicode, and adversarial repeats up to 64 KB that make
 * backtracking regular expressions slow (long digit runs, '@' and '.' repeats, base64-like runs,
 * capitalised words), each optionally ending in a character that makes a near-match fail late.
 */
final class HostileText {

    static final int MAX_LENGTH = 64 * 1024;

    static final List<String> PIECES = List.of("4111 1111 1111 1111", "4111-1111-1111-1111", "DE89 3704 0044 0532 0130 00",
            "123-45-6789", "ann@example.com", "a.b-c_d+e@sub.example.co.uk", "@", ".", "-", "+49 30 1234567", "(555) 010-9999",
            "192.168.0.1", "::1", "2001:db8::1", "fe80::1%eth0", "born on 12/03/1985", "DOB: 1985-03-12", "AKIA", "ASIA",
            "AKIAIOSFODNN7EXAMPLE", "AIza", "-----BEGIN PRIVATE KEY-----", "-----BEGIN RSA PRIVATE KEY-----\n",
            "-----END PRIVATE KEY-----", "eyJhbGciOiJIUzI1NiJ9", "eyJ", "Authorization: Bearer ", "Bearer ", "password=",
            "api_key: ", "secret: ", "AccountKey=", "\"private_key\": \"", "\"type\": \"service_account\"", "Mr. ", "Dr. ",
            "my name is ", "Jana Novak", "221B Baker Street", "Hauptstraße 5", "P.O. Box 12", "\n", " ", "\t", "\r\n",
            "Ω", "😀", "\ud800", "\udc00", "\u0301", "\u200b", "\u202e", "\u00a0", "１２３", "١٢٣", "İ", "0", "9", "x", "==",
            "/", "_", "+", "=", ":", ";", ",", "\"", "'");
    private static final List<String> UNITS = List.of("1", "1 ", "1-", "12 ", "1.", "1:", "1/", "0", "9", "@", "a@", "@a",
            "a.", ".a", "a@b.", "a-", "a_", "a+", "-a", "aA0+/", "A", "Aa ", "Mr. ", "John ", "Street ", "St ", "+1 ", "(1) ",
            "::", "1::", "f:", "AKIA", "eyJ", "ey.", "=", "Bearer ", "password=", "key=", "\"", "\\", "-----", "-----BEGIN ",
            "\u00a0", "\u200b", "\ud800", "\udc00", "😀", "١", "１", "\u0301", "\n", "\t", " ");
    private static final List<String> ALPHABETS = List.of("0123456789", "0123456789 -", "0123456789.", "0123456789abcdef:",
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=",
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.", "ab@.-_+", "Aa .", "@.", "-\n ",
            "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
    private static final List<String> TAILS = List.of("", "", "x", "!", "@", ".", "-", " ", "\n", "@x", ".x", "==", "\ud800",
            "-----END PRIVATE KEY-----", "1");

    private HostileText() {
    }

    /** Any text up to {@link #MAX_LENGTH} characters. */
    static String any(SplittableRandom random) {
        int length = switch (random.nextInt(4)) {
            case 0 -> random.nextInt(64);
            case 1 -> random.nextInt(1024);
            case 2 -> random.nextInt(8192);
            default -> MAX_LENGTH - random.nextInt(1024);
        };
        StringBuilder text = new StringBuilder(length + 64);
        String tail = TAILS.get(random.nextInt(TAILS.size()));
        switch (random.nextInt(3)) {
            case 0 -> {
                String unit = UNITS.get(random.nextInt(UNITS.size()));
                while (text.length() < length) {
                    text.append(random.nextInt(50) == 0 ? PIECES.get(random.nextInt(PIECES.size())) : unit);
                }
            }
            case 1 -> {
                String alphabet = ALPHABETS.get(random.nextInt(ALPHABETS.size()));
                while (text.length() < length) {
                    text.append(alphabet.charAt(random.nextInt(alphabet.length())));
                }
            }
            default -> {
                while (text.length() < length) {
                    text.append(PIECES.get(random.nextInt(PIECES.size())));
                }
            }
        }
        text.setLength(Math.min(text.length(), length));
        return text.append(tail).toString();
    }

    /**
     * A text in which no run of non-whitespace characters is longer than {@code maxRun}, as the
     * stream scanner's contract requires of what it can hold back (see {@link StreamScanner}).
     */
    static String streamable(SplittableRandom random, int maxLength) {
        int length = random.nextInt(maxLength);
        StringBuilder text = new StringBuilder();
        while (text.length() < length) {
            if (random.nextInt(4) == 0) {
                String alphabet = ALPHABETS.get(random.nextInt(ALPHABETS.size()));
                int n = 1 + random.nextInt(random.nextInt(10) == 0 ? 400 : 40);
                for (int i = 0; i < n; i++) {
                    text.append(alphabet.charAt(random.nextInt(alphabet.length())));
                }
                text.append(' ');
            } else {
                text.append(PIECES.get(random.nextInt(PIECES.size())));
            }
        }
        return text.toString();
    }
}
