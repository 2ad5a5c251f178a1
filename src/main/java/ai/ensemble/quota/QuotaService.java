package ai.ensemble.quota;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import ai.ensemble.quota.internal.QuotaWindow;
import ai.ensemble.security.Caller;
import ai.ensemble.shared.ApiError;
import ai.ensemble.shared.ApiException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Reserves and settles a request's tokens against every quota that applies to its caller: the
 * caller's subject ({@code user}), each of its roles ({@code role}) and its API key ({@code api_key}).
 *
 * <p>{@link #reserve} runs in one transaction: for each applicable quota (in id order, so two
 * requests never lock rows in opposite orders) it adds the reservation and one request to the
 * usage row of the current window with a conditional UPDATE, which Postgres serialises by the row
 * lock. If any quota has no room, the transaction rolls back (nothing stays reserved) and the caller
 * gets 429 with {@code Retry-After} (seconds until that quota's window ends). A reservation is an
 * upper bound of what the request can use, so {@code used ≤ limit} holds as long as requests settle
 * no more than they reserved; {@link #settle} records what was actually used and releases the rest.
 * A gateway that dies between the two leaves its reservation counted until the window ends, which
 * errs on the side of the budget.
 */
@Service
public class QuotaService {

    /** The quota rows a request holds, with the window it reserved in; settle them with {@link #settle}. */
    public record Reservation(List<Held> held, long tokens) {
        public Reservation {
            held = List.copyOf(held);
        }

        public static final Reservation NONE = new Reservation(List.of(), 0);
    }

    /** One quota's usage row and the tokens reserved there (0 for a request-rate-only quota). */
    public record Held(UUID quotaId, Instant windowStart, long tokens) {
    }

    private record Applicable(UUID id, String subjectType, String subject, String window, Long maxTokens, Integer maxRequests) {
    }

    static final long CACHE_NANOS = 5_000_000_000L;

    private final JdbcClient jdbc;
    private final Clock clock;
    private volatile List<Applicable> cached;
    private volatile long cachedAt;

    QuotaService(JdbcClient jdbc) {
        this.jdbc = jdbc;
        this.clock = Clock.systemUTC();
    }

    /**
     * Reserves {@code tokens} (the most the request can use: its prompt bound plus its output limit)
     * and one request in every applicable quota's current window. 429 when a quota has no room left;
     * 400 naming {@code max_tokens} when the request alone is larger than a whole budget.
     */
    @Transactional
    public Reservation reserve(Caller caller, long tokens) {
        if (tokens < 0) {
            throw new IllegalArgumentException("tokens must not be negative");
        }
        Instant now = clock.instant();
        String key = caller.apiKeyId() == null ? "" : caller.apiKeyId().toString();
        List<Applicable> quotas = all().stream().filter(q -> switch (q.subjectType()) {
            case "user" -> q.subject().equals(caller.subject());
            case "role" -> caller.roles().contains(q.subject());
            case "api_key" -> q.subject().equals(key);
            default -> false;
        }).toList();
        List<Held> held = new ArrayList<>();
        for (Applicable quota : quotas) {
            QuotaWindow window = QuotaWindow.of(quota.window());
            Instant start = window.start(now);
            long reserve = quota.maxTokens() == null ? 0 : tokens;
            if (quota.maxTokens() != null && tokens > quota.maxTokens()) {
                throw ApiError.invalidRequest("max_tokens", "This request may use up to " + tokens + " tokens, more than the whole "
                        + window.label() + " budget of " + quota.maxTokens() + " tokens for " + describe(quota)
                        + "; lower max_tokens or shorten the prompt").exception();
            }
            // (where exists: another replica may have deleted the quota since this one cached the limits)
            jdbc.sql("insert into quota_usage (quota_id, window_start) select ?, ? where exists (select 1 from quota where id = ?)"
                            + " on conflict do nothing")
                    .params(quota.id(), Timestamp.from(start), quota.id()).update();
            int updated = jdbc.sql("""
                            update quota_usage set tokens_reserved = tokens_reserved + :reserve, requests = requests + 1
                            where quota_id = :id and window_start = :start
                              and (cast(:maxTokens as bigint) is null or tokens_used + tokens_reserved + :reserve <= cast(:maxTokens as bigint))
                              and (cast(:maxRequests as integer) is null or requests + 1 <= cast(:maxRequests as integer))""")
                    .param("reserve", reserve)
                    .param("id", quota.id())
                    .param("start", Timestamp.from(start))
                    .param("maxTokens", quota.maxTokens())
                    .param("maxRequests", quota.maxRequests())
                    .update();
            if (updated == 0 && jdbc.sql("select count(*) from quota where id = ?").params(quota.id()).query(Long.class).single() == 0) {
                continue; // deleted meanwhile: it no longer limits anyone
            }
            if (updated == 0) {
                long seconds = Math.max(1, Duration.between(now, window.end(start)).toSeconds() + 1);
                String what = quota.maxRequests() != null && quota.maxTokens() == null ? "request limit of " + quota.maxRequests()
                        : quota.maxTokens() == null ? "" : "token budget of " + quota.maxTokens()
                        + (quota.maxRequests() == null ? "" : " (or request limit of " + quota.maxRequests() + ")");
                ApiError error = new ApiError(HttpStatus.TOO_MANY_REQUESTS, "The " + window.label() + " " + what + " for "
                        + describe(quota) + " is used up; retry after " + seconds + " s", "rate_limit_error", null, "quota_exceeded");
                throw new ApiException(error, Map.of(HttpHeaders.RETRY_AFTER, Long.toString(seconds)));
            }
            held.add(new Held(quota.id(), start, reserve));
        }
        return new Reservation(held, tokens);
    }

    /**
     * Every quota's limits (a small table), read at most every {@link #CACHE_NANOS}: a request that no
     * quota covers costs no database work, and a new or changed quota applies within seconds on every
     * replica (at once on the replica that made the change). Usage itself is never cached.
     */
    private List<Applicable> all() {
        List<Applicable> current = cached;
        if (current == null || System.nanoTime() - cachedAt > CACHE_NANOS) {
            current = jdbc.sql("select id, subject_type, subject, time_window, max_tokens, max_requests from quota order by id")
                    .query((rs, row) -> new Applicable(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getString(4),
                            (Long) rs.getObject(5), (Integer) rs.getObject(6)))
                    .list();
            cached = current;
            cachedAt = System.nanoTime();
        }
        return current;
    }

    /** Drops the cached limits (the admin API calls it after a change). */
    public void limitsChanged() {
        cached = null;
    }

    /** Records the tokens the request used (prompt + completion; 0 when it failed) and releases its reservation. */
    @Transactional
    public void settle(Reservation reservation, long usedTokens) {
        for (Held held : reservation.held()) {
            jdbc.sql("""
                            update quota_usage set tokens_reserved = greatest(tokens_reserved - :reserved, 0),
                                                   tokens_used = tokens_used + :used
                            where quota_id = :id and window_start = :start""")
                    .param("reserved", held.tokens())
                    .param("used", Math.max(0, usedTokens))
                    .param("id", held.quotaId())
                    .param("start", Timestamp.from(held.windowStart()))
                    .update();
        }
    }

    private static String describe(Applicable quota) {
        return quota.subjectType().replace('_', ' ') + " '" + quota.subject() + "'";
    }
}
