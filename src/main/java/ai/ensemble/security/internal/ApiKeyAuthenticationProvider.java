package ai.ensemble.security.internal;

import java.security.MessageDigest;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import ai.ensemble.security.Caller;
import ai.ensemble.security.CallerType;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.server.resource.InvalidBearerTokenException;
import org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthenticationToken;

/**
 * Authenticates {@code Authorization: Bearer sk-ens-…}. Revocation and expiry take effect on the
 * next request: the key row is read every time (one indexed lookup). Other bearer tokens are left
 * to the JWT provider.
 */
final class ApiKeyAuthenticationProvider implements AuthenticationProvider {

    private record KeyRow(UUID id, String name, byte[] hash, Instant expiresAt, Instant revokedAt, String[] roles) {
    }

    private final JdbcClient jdbc;
    private final AccessControl accessControl;

    ApiKeyAuthenticationProvider(JdbcClient jdbc, AccessControl accessControl) {
        this.jdbc = jdbc;
        this.accessControl = accessControl;
    }

    @Override
    public Authentication authenticate(Authentication authentication) {
        String token = ((BearerTokenAuthenticationToken) authentication).getToken();
        if (!ApiKeyFormat.looksLikeKey(token)) {
            return null;
        }
        String prefix = ApiKeyFormat.prefix(token);
        KeyRow key = prefix == null ? null : find(prefix).orElse(null);
        if (key == null || !MessageDigest.isEqual(key.hash(), ApiKeyFormat.sha256(token))) {
            throw new InvalidBearerTokenException("Unknown API key");
        }
        if (key.revokedAt() != null) {
            throw new InvalidBearerTokenException("API key was revoked");
        }
        if (key.expiresAt() != null && !key.expiresAt().isAfter(Instant.now())) {
            throw new InvalidBearerTokenException("API key expired at " + key.expiresAt());
        }
        Set<String> roles = new TreeSet<>(Arrays.asList(key.roles()));
        Caller caller = new Caller("key:" + key.name(), CallerType.API_KEY, roles, accessControl.permissionsOf(roles), key.id());
        return new CallerAuthentication(caller);
    }

    private Optional<KeyRow> find(String prefix) {
        return jdbc.sql("""
                        select k.id, k.name, k.secret_sha256, k.expires_at, k.revoked_at,
                               coalesce(array_agg(r.role_name) filter (where r.role_name is not null), '{}') as roles
                        from api_key k left join api_key_role r on r.api_key_id = k.id
                        where k.prefix = ?
                        group by k.id""")
                .param(prefix)
                .query((rs, n) -> new KeyRow(rs.getObject(1, UUID.class), rs.getString(2), rs.getBytes(3),
                        instant(rs.getTimestamp(4)), instant(rs.getTimestamp(5)), (String[]) rs.getArray(6).getArray()))
                .optional();
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return BearerTokenAuthenticationToken.class.isAssignableFrom(authentication);
    }
}
