package ai.ensemble.security;

import java.security.interfaces.RSAPublicKey;

/**
 * An issuer running inside this process (the dev identity provider): its tokens are verified
 * with the key in memory rather than by fetching its JWKS over HTTP from ourselves.
 */
public record LocalIssuer(String issuer, RSAPublicKey publicKey) {
}
