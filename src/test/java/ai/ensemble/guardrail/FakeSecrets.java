package ai.ensemble.guardrail;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Random;

/** Secret-shaped test values from a seeded generator: random, so never anybody's real key. */
final class FakeSecrets {

    static final String BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    static final String BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    static final String BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    private final Random random;

    FakeSecrets(long seed) {
        random = new Random(seed);
    }

    String chars(String alphabet, int length) {
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return out.toString();
    }

    String awsAccessKeyId() {
        return "AKIA" + chars(BASE32, 16);
    }

    String awsSecretKey() {
        return chars(BASE64, 40);
    }

    String gcpApiKey() {
        return "AIza" + chars(BASE64URL, 35);
    }

    String azureStorageKey() {
        return chars(BASE64, 86) + "==";
    }

    String jwt() {
        Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
        String header = url.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String payload = url.encodeToString(("{\"sub\":\"" + chars(BASE32, 10) + "\",\"iat\":1516239022}").getBytes(StandardCharsets.UTF_8));
        return header + "." + payload + "." + chars(BASE64URL, 43);
    }

    /** A PEM block of {@code lines} base64 lines, with {@code newline} between lines ("\n", or "\\n" as in JSON). */
    String pemPrivateKey(String label, int lines, String newline) {
        StringBuilder pem = new StringBuilder("-----BEGIN " + label + "PRIVATE KEY-----");
        for (int i = 0; i < lines; i++) {
            pem.append(newline).append(chars(BASE64, 64));
        }
        return pem.append(newline).append("-----END ").append(label).append("PRIVATE KEY-----").toString();
    }

    String token(int length) {
        return chars(BASE64URL, length);
    }
}
