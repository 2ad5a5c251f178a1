package ai.ensemble.security.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import ai.ensemble.security.ApiKeys;
import ai.ensemble.security.Caller;
import ai.ensemble.shared.ApiError;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Issues, lists and revokes API keys. The secret exists only in the response that issues it. */
@Service
public class ApiKeyAdministration implements ApiKeys {

    private static final String SELECT = """
            select k.id, k.name, k.prefix, k.owner_subject, k.created_at, k.expires_at, k.revoked_at,
                   coalesce(array_agg(r.role_name order by r.role_name) filter (where r.role_name is not null), '{}')
            from api_key k left join api_key_role r on r.api_key_id = k.id
            where %s
            group by k.id order by k.created_at, k.id""";

    private final JdbcClient jdbc;
    private final RoleAdministration roles;

    ApiKeyAdministration(JdbcClient jdbc, RoleAdministration roles) {
        this.jdbc = jdbc;
        this.roles = roles;
    }

    @Transactional
    public IssuedKey issue(NewKey request, String owner) {
        if (request.name() == null || request.name().isBlank() || request.name().length() > 100) {
            throw ApiError.invalidRequest("name", "'name' is required and must be 1-100 characters").exception();
        }
        if (request.roles() == null || request.roles().isEmpty()) {
            throw ApiError.invalidRequest("roles", "'roles' must name at least one role").exception();
        }
        for (int i = 0; i < request.roles().size(); i++) {
            if (!roles.exists(request.roles().get(i))) {
                throw ApiError.invalidRequest("roles[" + i + "]", "Unknown role '" + request.roles().get(i) + "'").exception();
            }
        }
        if (request.expiresAt() != null && !request.expiresAt().isAfter(Instant.now())) {
            throw ApiError.invalidRequest("expiresAt", "'expiresAt' must lie in the future").exception();
        }
        String secret = ApiKeyFormat.generate();
        UUID id = UUID.randomUUID();
        jdbc.sql("insert into api_key (id, name, prefix, secret_sha256, owner_subject, expires_at) values (?, ?, ?, ?, ?, ?)")
                .params(id, request.name().strip(), ApiKeyFormat.prefix(secret), ApiKeyFormat.sha256(secret), owner,
                        request.expiresAt() == null ? null : OffsetDateTime.ofInstant(request.expiresAt(), ZoneOffset.UTC))
                .update();
        for (String role : request.roles().stream().distinct().toList()) {
            jdbc.sql("insert into api_key_role (api_key_id, role_name) values (?, ?)").params(id, role).update();
        }
        return new IssuedKey(find(id).orElseThrow(), secret);
    }

    public List<KeyView> list() {
        return jdbc.sql(SELECT.formatted("true")).query(ApiKeyAdministration::view).list();
    }

    public Optional<KeyView> find(UUID id) {
        return jdbc.sql(SELECT.formatted("k.id = ?")).param(id).query(ApiKeyAdministration::view).optional();
    }

    /** Revokes the key; revoking twice keeps the first revocation time. */
    @Transactional
    public KeyView revoke(UUID id) {
        int updated = jdbc.sql("update api_key set revoked_at = coalesce(revoked_at, now()) where id = ?").param(id).update();
        if (updated == 0) {
            throw ApiError.notFound("id", "No API key with id " + id, "key_not_found").exception();
        }
        return find(id).orElseThrow();
    }

    @Override
    public List<KeyView> ownedBy(String owner) {
        return jdbc.sql(SELECT.formatted("k.owner_subject = ?")).param(owner).query(ApiKeyAdministration::view).list();
    }

    @Override
    @Transactional
    public IssuedKey issueOwn(NewKey request, Caller caller) {
        List<String> wanted = request.roles() == null ? List.of() : request.roles();
        for (int i = 0; i < wanted.size(); i++) {
            if (!caller.roles().contains(wanted.get(i))) {
                throw ApiError.invalidRequest("roles[" + i + "]", "'roles[" + i + "]' is '" + wanted.get(i)
                        + "': a key of your own may carry only roles you hold (" + String.join(", ", caller.roles().stream().sorted().toList())
                        + ")").exception();
            }
        }
        return issue(request, caller.subject());
    }

    @Override
    @Transactional
    public KeyView revokeOwn(UUID id, String owner) {
        int updated = jdbc.sql("update api_key set revoked_at = coalesce(revoked_at, now()) where id = ? and owner_subject = ?")
                .params(id, owner).update();
        if (updated == 0) {
            throw ApiError.notFound("id", "You own no API key with id " + id, "key_not_found").exception();
        }
        return find(id).orElseThrow();
    }

    private static KeyView view(ResultSet rs, int row) throws SQLException {
        return new KeyView(rs.getObject(1, UUID.class), rs.getString(2), ApiKeyFormat.MARKER + rs.getString(3),
                Arrays.asList((String[]) rs.getArray(8).getArray()), rs.getString(4),
                rs.getTimestamp(5).toInstant(), instant(rs.getTimestamp(6)), instant(rs.getTimestamp(7)));
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}
