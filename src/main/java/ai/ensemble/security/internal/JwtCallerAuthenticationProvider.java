package ai.ensemble.security.internal;

import java.text.ParseException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import ai.ensemble.security.Caller;
import ai.ensemble.security.CallerType;
import ai.ensemble.security.LocalIssuer;
import com.nimbusds.jwt.JWTParser;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.server.resource.InvalidBearerTokenException;
import org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthenticationToken;
import org.springframework.web.client.RestTemplate;

/**
 * Verifies JWTs from any configured issuer: picks the issuer's decoder by the (unverified) {@code iss}
 * claim, then checks signature (allowed algorithms only, so {@code alg: none} fails), issuer,
 * audience, {@code exp} (required) and {@code nbf} with bounded skew, and maps groups to roles.
 */
final class JwtCallerAuthenticationProvider implements AuthenticationProvider {

    private record TrustedIssuer(SecuritySettings.Issuer settings, JwtDecoder decoder) {
    }

    private final Map<String, SecuritySettings.Issuer> issuers = new HashMap<>();
    private final Map<String, TrustedIssuer> decoders = new ConcurrentHashMap<>();
    private final Map<String, LocalIssuer> localIssuers = new HashMap<>();
    private final SecuritySettings settings;
    private final AccessControl accessControl;
    private final VerifiedTokens verifiedTokens;
    // Keys are fetched with the JDK client and bounded timeouts: an IdP that hangs must not hold requests.
    private final RestTemplate keyFetcher;

    JwtCallerAuthenticationProvider(SecuritySettings settings, AccessControl accessControl, Collection<LocalIssuer> local) {
        this.settings = settings;
        this.accessControl = accessControl;
        this.verifiedTokens = new VerifiedTokens(10_000, settings.clockSkew());
        JdkClientHttpRequestFactory requests = new JdkClientHttpRequestFactory(
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build());
        requests.setReadTimeout(Duration.ofSeconds(10));
        this.keyFetcher = new RestTemplate(requests);
        settings.issuers().forEach(issuer -> issuers.put(issuer.issuer(), issuer));
        local.forEach(issuer -> localIssuers.put(issuer.issuer(), issuer));
    }

    @Override
    public Authentication authenticate(Authentication authentication) {
        String token = ((BearerTokenAuthenticationToken) authentication).getToken();
        if (ApiKeyFormat.looksLikeKey(token)) {
            return null; // the API key provider's verdict stands
        }
        VerifiedTokens.Verified verified = verifiedTokens.find(token);
        if (verified == null) {
            verified = verify(token);
            verifiedTokens.remember(token, verified);
        }
        Set<String> roles = accessControl.rolesForGroups(verified.groups());
        Caller caller = new Caller(verified.subject(), CallerType.JWT, roles, accessControl.permissionsOf(roles), null);
        return new CallerAuthentication(caller);
    }

    private VerifiedTokens.Verified verify(String token) {
        String issuer;
        try {
            issuer = JWTParser.parse(token).getJWTClaimsSet().getIssuer();
        } catch (ParseException e) {
            throw new InvalidBearerTokenException("Bearer token is neither an API key nor a well-formed JWT");
        }
        SecuritySettings.Issuer trusted = issuer == null ? null : issuers.get(issuer);
        if (trusted == null) {
            throw new InvalidBearerTokenException("Token issuer is not trusted");
        }
        TrustedIssuer verifier = decoders.computeIfAbsent(issuer, i -> new TrustedIssuer(trusted, decoder(trusted)));
        Jwt jwt;
        try {
            jwt = verifier.decoder().decode(token);
        } catch (JwtException e) {
            throw new InvalidBearerTokenException(describable("Invalid token: " + e.getMessage()), e);
        }
        return new VerifiedTokens.Verified(jwt.getSubject(), groups(jwt, trusted.groupsClaim()), jwt.getExpiresAt());
    }

    private JwtDecoder decoder(SecuritySettings.Issuer issuer) {
        NimbusJwtDecoder decoder;
        LocalIssuer local = localIssuers.get(issuer.issuer());
        if (local != null) {
            decoder = NimbusJwtDecoder.withPublicKey(local.publicKey()).signatureAlgorithm(SignatureAlgorithm.RS256).build();
        } else {
            var builder = issuer.jwkSetUri() != null && !issuer.jwkSetUri().isBlank()
                    ? NimbusJwtDecoder.withJwkSetUri(issuer.jwkSetUri())
                    : NimbusJwtDecoder.withIssuerLocation(issuer.issuer());
            decoder = builder.jwsAlgorithms(algorithms -> settings.algorithms()
                    .forEach(name -> algorithms.add(SignatureAlgorithm.from(name))))
                    .restOperations(keyFetcher)
                    .build();
        }
        List<OAuth2TokenValidator<Jwt>> validators = List.of(
                new JwtClaimValidator<Instant>(JwtClaimNames.EXP, Objects::nonNull),
                new JwtTimestampValidator(settings.clockSkew()),
                new JwtIssuerValidator(issuer.issuer()),
                new JwtClaimValidator<List<String>>(JwtClaimNames.AUD,
                        audience -> audience != null && audience.stream().anyMatch(issuer.audiences()::contains)));
        decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(validators));
        return decoder;
    }

    /** RFC 6750 allows only printable ASCII without '"' and '\\' in an error description. */
    private static String describable(String message) {
        return message.replaceAll("[^\\x20-\\x21\\x23-\\x5B\\x5D-\\x7E]", "'");
    }

    private static List<String> groups(Jwt jwt, String claim) {
        Object value = jwt.getClaims().get(claim);
        if (value instanceof Collection<?> values) {
            // Keycloak writes full group paths ("/ensemble-users") unless told otherwise.
            return values.stream().map(String::valueOf).map(g -> g.startsWith("/") ? g.substring(1) : g).toList();
        }
        if (value instanceof String single) {
            return List.of(single.startsWith("/") ? single.substring(1) : single);
        }
        return List.of();
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return BearerTokenAuthenticationToken.class.isAssignableFrom(authentication);
    }
}
