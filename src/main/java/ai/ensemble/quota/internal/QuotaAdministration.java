package ai.ensemble.quota.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import ai.ensemble.shared.ApiError;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Creates, lists, changes and deletes quotas, with each one's usage in its current window. */
@Service
public class QuotaAdministration {

    /** A new quota, or the new limits of one (subjectType, subject and window stay). */
    public record QuotaRequest(String subjectType, String subject, String window, Long maxTokens, Integer maxRequests) {
    }

    public record Usage(Instant windowStart, Instant windowEnd, long tokensUsed, long tokensReserved, int requests) {
    }

    public record QuotaView(UUID id, String subjectType, String subject, String window, Long maxTokens, Integer maxRequests,
                            Instant createdAt, String createdBy, Usage usage) {
    }

    private static final String SELECT = """
            select q.id, q.subject_type, q.subject, q.time_window, q.max_tokens, q.max_requests, q.created_at, q.created_by,
                   u.tokens_used, u.tokens_reserved, u.requests
            from quota q left join quota_usage u on u.quota_id = q.id and u.window_start = (
                case q.time_window when 'minute' then date_trunc('minute', now() at time zone 'UTC')
                                   when 'day' then date_trunc('day', now() at time zone 'UTC')
                                   else date_trunc('month', now() at time zone 'UTC') end) at time zone 'UTC'
            where %s order by q.subject_type, q.subject, q.time_window""";

    private final JdbcClient jdbc;
    private final ai.ensemble.quota.QuotaService quotas;

    QuotaAdministration(JdbcClient jdbc, ai.ensemble.quota.QuotaService quotas) {
        this.jdbc = jdbc;
        this.quotas = quotas;
    }

    @Transactional
    public QuotaView create(QuotaRequest request, String createdBy) {
        if (request == null) {
            throw ApiError.invalidRequest(null, "The request body must be a JSON object").exception();
        }
        if (request.subjectType() == null || !List.of("user", "role", "api_key").contains(request.subjectType())) {
            throw ApiError.invalidRequest("subjectType", "'subjectType' must be one of user, role, api_key").exception();
        }
        if (request.subject() == null || request.subject().isBlank() || request.subject().length() > 200) {
            throw ApiError.invalidRequest("subject", "'subject' is required and must be 1-200 characters").exception();
        }
        String subject = request.subject().strip();
        if (request.subjectType().equals("role") && !exists("select count(*) from role where name = ?", subject)) {
            throw ApiError.invalidRequest("subject", "Unknown role '" + subject + "'").exception();
        }
        if (request.subjectType().equals("api_key")) {
            UUID key;
            try {
                key = UUID.fromString(subject);
            } catch (IllegalArgumentException e) {
                throw ApiError.invalidRequest("subject", "An api_key quota names the key by its id (a UUID)").exception();
            }
            if (!exists("select count(*) from api_key where id = ?", key)) {
                throw ApiError.invalidRequest("subject", "Unknown API key " + key).exception();
            }
            subject = key.toString();
        }
        if (request.window() == null || !QuotaWindow.valid(request.window())) {
            throw ApiError.invalidRequest("window", "'window' must be one of minute, day, month").exception();
        }
        checkLimits(request);
        UUID id = UUID.randomUUID();
        try {
            jdbc.sql("""
                            insert into quota (id, subject_type, subject, time_window, max_tokens, max_requests, created_by)
                            values (?, ?, ?, ?, ?, ?, ?)""")
                    .params(id, request.subjectType(), subject, request.window(), request.maxTokens(), request.maxRequests(), createdBy)
                    .update();
        } catch (DuplicateKeyException e) {
            throw ApiError.conflict("window", "A " + request.window() + " quota for " + request.subjectType() + " '" + subject
                    + "' exists already; change its limits instead").exception();
        }
        quotas.limitsChanged();
        return find(id).orElseThrow();
    }

    @Transactional
    public QuotaView update(UUID id, QuotaRequest request) {
        QuotaView existing = find(id).orElseThrow(() -> notFound(id));
        if (request == null) {
            throw ApiError.invalidRequest(null, "The request body must be a JSON object").exception();
        }
        for (String[] fixed : new String[][] {{"subjectType", request.subjectType(), existing.subjectType()},
                {"subject", request.subject(), existing.subject()}, {"window", request.window(), existing.window()}}) {
            if (fixed[1] != null && !fixed[1].equals(fixed[2])) {
                throw ApiError.invalidRequest(fixed[0], "'" + fixed[0] + "' of a quota cannot change; delete it and create another")
                        .exception();
            }
        }
        checkLimits(request);
        jdbc.sql("update quota set max_tokens = ?, max_requests = ? where id = ?")
                .params(request.maxTokens(), request.maxRequests(), id).update();
        quotas.limitsChanged();
        return find(id).orElseThrow();
    }

    @Transactional
    public QuotaView delete(UUID id) {
        QuotaView existing = find(id).orElseThrow(() -> notFound(id));
        jdbc.sql("delete from quota where id = ?").params(id).update();
        quotas.limitsChanged();
        return existing;
    }

    public List<QuotaView> list() {
        return jdbc.sql(SELECT.formatted("true")).query(QuotaAdministration::view).list();
    }

    public Optional<QuotaView> find(UUID id) {
        return jdbc.sql(SELECT.formatted("q.id = ?")).params(id).query(QuotaAdministration::view).optional();
    }

    static RuntimeException notFound(UUID id) {
        return ApiError.notFound("id", "No quota with id " + id, "quota_not_found").exception();
    }

    private static void checkLimits(QuotaRequest request) {
        if (request.maxTokens() == null && request.maxRequests() == null) {
            throw ApiError.invalidRequest("maxTokens", "A quota needs 'maxTokens', 'maxRequests' or both").exception();
        }
        if (request.maxTokens() != null && request.maxTokens() <= 0) {
            throw ApiError.invalidRequest("maxTokens", "'maxTokens' must be a positive number").exception();
        }
        if (request.maxRequests() != null && request.maxRequests() <= 0) {
            throw ApiError.invalidRequest("maxRequests", "'maxRequests' must be a positive number").exception();
        }
    }

    private boolean exists(String sql, Object value) {
        return jdbc.sql(sql).params(value).query(Long.class).single() > 0;
    }

    private static QuotaView view(ResultSet rs, int row) throws SQLException {
        QuotaWindow window = QuotaWindow.of(rs.getString(4));
        Instant start = window.start(Instant.now());
        return new QuotaView(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getString(4),
                (Long) rs.getObject(5), (Integer) rs.getObject(6), rs.getTimestamp(7).toInstant(), rs.getString(8),
                new Usage(start, window.end(start), rs.getLong(9), rs.getLong(10), rs.getInt(11)));
    }

}
