package ai.ensemble.guardrail.internal;

/** The check-digit rules that tell a real card number or IBAN from a random one. */
final class Checksums {

    private Checksums() {
    }

    /** The Luhn (mod 10) check over a string of digits. */
    static boolean luhn(CharSequence digits) {
        int sum = 0;
        boolean twice = false;
        for (int i = digits.length() - 1; i >= 0; i--) {
            int digit = digits.charAt(i) - '0';
            if (twice) {
                digit *= 2;
                if (digit > 9) {
                    digit -= 9;
                }
            }
            sum += digit;
            twice = !twice;
        }
        return sum % 10 == 0;
    }

    /**
     * ISO 13616: move the first four characters to the end, letters to 10..35, and the number
     * must leave remainder 1 when divided by 97. {@code iban} is upper case without spaces.
     */
    static boolean ibanMod97(String iban) {
        String rearranged = iban.substring(4) + iban.substring(0, 4);
        int remainder = 0;
        for (int i = 0; i < rearranged.length(); i++) {
            char c = rearranged.charAt(i);
            int value = Character.isDigit(c) ? c - '0' : c - 'A' + 10;
            remainder = value < 10 ? (remainder * 10 + value) % 97 : (remainder * 100 + value) % 97;
        }
        return remainder == 1;
    }
}
