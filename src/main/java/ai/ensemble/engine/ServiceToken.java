package ai.ensemble.engine;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import ai.ensemble.engine.json.Json;
import ai.ensemble.engine.serve.JsonText;

/**
 * The signed service token the gateway sends to its inference workers: a compact
 * {@code header.payload.signature} (the JWT layout, HMAC-SHA256) whose payload names the audience
 * {@code ensemble-worker}, the request id as subject, and a lifetime of at most a minute. Both sides
 * share one secret of at least 32 bytes ({@code ensemble.worker.token-secret}); the worker checks
 * the signature in constant time, the audience and the expiry, so a captured token is worth little.
 * Plain JDK cryptography, because the worker runs the engine alone, without Spring.
 */
public final class ServiceToken {

    public static final String AUDIENCE = "ensemble-worker";
    /** The longest lifetime a worker accepts. */
    public static final Duration MAX_LIFETIME = Duration.ofSeconds(60);
    /** Clock difference between gateway and worker that is forgiven. */
    public static final Duration CLOCK_SKEW = Duration.ofSeconds(10);
    public static final int MIN_SECRET_BYTES = 32;

    private static final String HEADER = encode("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private final byte[] secret;

    /** @throws IllegalArgumentException when the secret is shorter than {@value #MIN_SECRET_BYTES} bytes */
    public ServiceToken(byte[] secret) {
        if (secret == null || secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("the worker token secret must have at least " + MIN_SECRET_BYTES + " bytes, has "
                    + (secret == null ? 0 : secret.length));
        }
        this.secret = secret.clone();
    }

    /** A secret as configured (text; its UTF-8 bytes are the key). */
    public static ServiceToken ofSecret(String secret) {
        return new ServiceToken(secret == null ? null : secret.getBytes(StandardCharsets.UTF_8));
    }

    /** A token for {@code subject} (the request id), valid from {@code now} for {@code lifetime} (at most a minute). */
    public String sign(String subject, Instant now, Duration lifetime) {
        if (lifetime.compareTo(MAX_LIFETIME) > 0 || lifetime.isNegative()) {
            throw new IllegalArgumentException("a service token lives at most " + MAX_LIFETIME.toSeconds() + " s");
        }
        long issued = now.getEpochSecond();
        String payload = "{\"aud\":\"" + AUDIENCE + "\",\"sub\":" + JsonText.quote(subject) + ",\"iat\":" + issued
                + ",\"exp\":" + (issued + lifetime.toSeconds()) + "}";
        String signed = HEADER + "." + encode(payload.getBytes(StandardCharsets.UTF_8));
        return signed + "." + encode(mac(signed));
    }

    /** What a valid token says. */
    public record Claims(String subject, Instant issuedAt, Instant expiresAt) {
    }

    /** Why a token was refused; the message is safe to send back. */
    public static final class InvalidTokenException extends Exception {
        InvalidTokenException(String message) {
            super(message, null, false, false);
        }
    }

    /** Checks signature (constant time), algorithm, audience, expiry and lifetime. */
    public Claims verify(String token, Instant now) throws InvalidTokenException {
        if (token == null || token.isBlank()) {
            throw new InvalidTokenException("a service token is required (Authorization: Bearer ...)");
        }
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            throw new InvalidTokenException("the service token is not header.payload.signature");
        }
        byte[] signature;
        byte[] header;
        byte[] payload;
        try {
            signature = DECODER.decode(parts[2]);
            header = DECODER.decode(parts[0]);
            payload = DECODER.decode(parts[1]);
        } catch (IllegalArgumentException e) {
            throw new InvalidTokenException("the service token is not base64url");
        }
        if (!MessageDigest.isEqual(signature, mac(parts[0] + "." + parts[1]))) {
            throw new InvalidTokenException("the service token's signature is wrong");
        }
        Map<String, Object> claims;
        try {
            if (!"HS256".equals(Json.parseObject(new String(header, StandardCharsets.UTF_8)).get("alg"))) {
                throw new InvalidTokenException("the service token's algorithm must be HS256");
            }
            claims = Json.parseObject(new String(payload, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new InvalidTokenException("the service token's payload is not a JSON object");
        }
        if (!AUDIENCE.equals(claims.get("aud"))) {
            throw new InvalidTokenException("the service token's audience must be " + AUDIENCE);
        }
        if (!(claims.get("iat") instanceof Long iat) || !(claims.get("exp") instanceof Long exp)) {
            throw new InvalidTokenException("the service token must carry iat and exp (seconds)");
        }
        Instant issuedAt = Instant.ofEpochSecond(iat);
        Instant expiresAt = Instant.ofEpochSecond(exp);
        if (!now.isBefore(expiresAt.plus(CLOCK_SKEW))) {
            throw new InvalidTokenException("the service token has expired");
        }
        if (issuedAt.isAfter(now.plus(CLOCK_SKEW))) {
            throw new InvalidTokenException("the service token was issued in the future");
        }
        if (Duration.between(issuedAt, expiresAt).compareTo(MAX_LIFETIME) > 0) {
            throw new InvalidTokenException("the service token lives longer than " + MAX_LIFETIME.toSeconds() + " s");
        }
        return new Claims(claims.get("sub") instanceof String s ? s : null, issuedAt, expiresAt);
    }

    private byte[] mac(String signed) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(signed.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    private static String encode(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
