package ai.ensemble.security.internal;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code ensemble.security}: the OIDC issuers whose JWTs are trusted, the accepted signature
 * algorithms, the clock skew allowed on {@code exp}/{@code nbf}, and how often role mappings are
 * re-read from Postgres (changes made through this replica apply at once).
 */
@ConfigurationProperties("ensemble.security")
public record SecuritySettings(
        @DefaultValue List<Issuer> issuers,
        @DefaultValue({"RS256", "RS384", "RS512", "PS256", "ES256", "ES384"}) List<String> algorithms,
        @DefaultValue("30s") Duration clockSkew,
        @DefaultValue("10s") Duration roleRefresh) {

    /**
     * One trusted issuer. {@code jwkSetUri} is found through OIDC discovery when not given;
     * {@code groupsClaim} names the claim holding the caller's IdP groups.
     */
    public record Issuer(String issuer, String jwkSetUri, @DefaultValue("ensemble") List<String> audiences,
                         @DefaultValue("groups") String groupsClaim) {
    }
}
