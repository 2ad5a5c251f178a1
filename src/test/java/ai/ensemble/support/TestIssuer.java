package ai.ensemble.support;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.Date;
import java.util.List;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

/**
 * An external identity provider for tests: a real RSA key, its JWKS served over HTTP by WireMock,
 * and real signed JWTs with whatever claims a test needs (expired, wrong audience, ...).
 */
public final class TestIssuer {

    public static final String ISSUER = "https://idp.test.example/realms/company";
    public static final String AUDIENCE = "ensemble";
    public static final String KEY_ID = "test-key-1";

    private final WireMockServer server = new WireMockServer(options().dynamicPort());
    private final RSAKey signingKey;
    private final RSAKey rogueKey;

    public TestIssuer() {
        signingKey = rsa(KEY_ID);
        rogueKey = rsa(KEY_ID); // same key id, different key: a forged signature
        server.start();
        server.stubFor(WireMock.get("/jwks").willReturn(WireMock.okJson(new JWKSet(signingKey.toPublicJWK()).toString())));
    }

    public String jwkSetUri() {
        return server.baseUrl() + "/jwks";
    }

    public Builder token() {
        return new Builder();
    }

    private static RSAKey rsa(String keyId) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            KeyPair pair = generator.generateKeyPair();
            return new RSAKey.Builder((RSAPublicKey) pair.getPublic()).privateKey((RSAPrivateKey) pair.getPrivate())
                    .keyID(keyId).build();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public final class Builder {
        private String issuer = ISSUER;
        private List<String> audience = List.of(AUDIENCE);
        private String subject = "test-user";
        private List<String> groups = List.of("ensemble-users");
        private Instant expiresAt = Instant.now().plusSeconds(300);
        private Instant notBefore = Instant.now().minusSeconds(5);
        private String keyId = KEY_ID;
        private boolean rogue;

        public Builder issuer(String value) { issuer = value; return this; }
        public Builder audience(String... values) { audience = List.of(values); return this; }
        public Builder subject(String value) { subject = value; return this; }
        public Builder groups(String... values) { groups = List.of(values); return this; }
        public Builder expiresAt(Instant value) { expiresAt = value; return this; }
        public Builder notBefore(Instant value) { notBefore = value; return this; }
        public Builder keyId(String value) { keyId = value; return this; }
        public Builder signedByRogueKey() { rogue = true; return this; }

        private JWTClaimsSet claims() {
            JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().issuer(issuer).audience(audience).subject(subject)
                    .issueTime(Date.from(notBefore)).notBeforeTime(Date.from(notBefore)).claim("groups", groups);
            if (expiresAt != null) {
                claims.expirationTime(Date.from(expiresAt));
            }
            return claims.build();
        }

        public String sign() {
            try {
                SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(keyId).type(JOSEObjectType.JWT).build(), claims());
                jwt.sign(new RSASSASigner(rogue ? rogueKey : signingKey));
                return jwt.serialize();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        /** The same claims with {@code alg: none} and no signature. */
        public String unsigned() {
            return new PlainJWT(claims()).serialize();
        }
    }
}
