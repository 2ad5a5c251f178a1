package ai.ensemble.audit.internal;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import ai.ensemble.audit.AuditReview;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The dashboard's time series and breakdowns, computed in the database: {@code date_bin} buckets
 * and {@code percentile_cont} latencies over the request and outcome records of a time range. The
 * range predicate is on {@code recorded_at}, the partition key, so only the months it overlaps are
 * read, through the {@code (recorded_at desc, seq desc)} index where the planner prefers it.
 */
@Component
public class AuditSeries {

    /**
     * Request and outcome records of a range (one caller's, when the subject is not null), with tokens
     * and latency; {@code %s} is an extra leading column (a breakdown's key) or nothing.
     */
    private static final String EVENTS = """
            select %s recorded_at, kind, request_id, subject, roles, client_app, expert, status, guardrail_action,
                   case when kind = 'response'
                        then coalesce((body ->> 'prompt_tokens')::bigint, 0) + coalesce((body ->> 'completion_tokens')::bigint, 0)
                   end as tokens,
                   case when kind = 'response' then (body ->> 'latency_ms')::double precision end as latency_ms
            from (select recorded_at, kind, request_id, subject, roles, client_app, expert, status, guardrail_action,
                         case when kind = 'response' then replace(record, '\\u0000', '\\ufffd')::jsonb -> 'body' end as body
                  from audit_event
                  where recorded_at >= cast(? as timestamptz) and recorded_at < cast(? as timestamptz)
                    and kind in ('request', 'response') and (cast(? as text) is null or subject = cast(? as text))) as ranged""";

    /**
     * Parameters: bucket seconds, origin, from, to, subject, subject. Public so that a test can
     * check its plan (partition pruning, the time index) against the real database.
     */
    public static final String SERIES = """
            select date_bin(make_interval(secs => cast(? as double precision)), recorded_at, cast(? as timestamptz)) as bucket,
                   count(*) filter (where kind = 'request') as requests,
                   coalesce(sum(tokens), 0) as tokens,
                   count(distinct request_id) filter (where guardrail_action = 'block') as blocked,
                   count(distinct request_id) filter (where guardrail_action = 'flag') as flagged,
                   count(*) filter (where kind = 'response' and (status < 200 or status > 299)) as errors,
                   percentile_cont(0.5) within group (order by latency_ms) as p50,
                   percentile_cont(0.95) within group (order by latency_ms) as p95
            from (%s) as events
            group by 1 order by 1""".formatted(EVENTS.formatted(""));

    private static final String BREAKDOWN = """
            select key, count(*) as requests, coalesce(sum(tokens), 0) as tokens,
                   count(*) filter (where guardrail_action = 'block') as blocked,
                   count(*) filter (where guardrail_action = 'flag') as flagged,
                   count(*) filter (where status < 200 or status > 299) as errors,
                   percentile_cont(0.95) within group (order by latency_ms) as p95
            from (%s) as events %s
            where kind = 'response'
            group by key order by requests desc, key limit 20""";

    private static final int MAX_BUCKETS = 1000;

    private final JdbcClient jdbc;

    AuditSeries(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public AuditReview.Series series(Instant from, Instant to, Duration bucket, String subject) {
        if (!bucket.isPositive() || !to.isAfter(from)) {
            throw new IllegalArgumentException("a series needs a positive bucket and to after from");
        }
        long buckets = Duration.between(from, to).dividedBy(bucket);
        if (buckets > MAX_BUCKETS || !from.plus(bucket.multipliedBy(buckets)).equals(to)) {
            throw new IllegalArgumentException("[from, to) must be a whole number of buckets, at most " + MAX_BUCKETS);
        }
        Map<Instant, AuditReview.Point> filled = new HashMap<>();
        jdbc.sql(SERIES)
                .params(bucket.toMillis() / 1000.0, utc(from), utc(from), utc(to), subject, subject)
                .query((row, n) -> {
                    Instant start = row.getTimestamp("bucket").toInstant();
                    return new AuditReview.Point(start, row.getLong("requests"), row.getLong("tokens"), row.getLong("blocked"),
                            row.getLong("flagged"), row.getLong("errors"), row.getObject("p50", Double.class),
                            row.getObject("p95", Double.class));
                })
                .list()
                .forEach(point -> filled.put(point.start(), point));
        List<AuditReview.Point> points = new ArrayList<>((int) buckets);
        for (Instant start = from; start.isBefore(to); start = start.plus(bucket)) {
            points.add(filled.getOrDefault(start, new AuditReview.Point(start, 0, 0, 0, 0, 0, null, null)));
        }
        return new AuditReview.Series(from, to, bucket, points);
    }

    public List<AuditReview.Share> breakdown(Instant from, Instant to, AuditReview.Dimension by, String subject) {
        // Fixed fragments chosen by the enum; nothing the caller typed becomes SQL text.
        String sql = switch (by) {
            case EXPERT -> BREAKDOWN.formatted(EVENTS.formatted("coalesce(expert, '(none)') as key,"), "");
            case APP -> BREAKDOWN.formatted(EVENTS.formatted("coalesce(client_app, '(none)') as key,"), "");
            case ROLE -> BREAKDOWN.formatted(EVENTS.formatted(""), "cross join lateral unnest(case when cardinality(roles) = 0"
                    + " then array['(none)'] else roles end) as role(key)");
        };
        return jdbc.sql(sql)
                .params(utc(from), utc(to), subject, subject)
                .query((row, n) -> new AuditReview.Share(row.getString("key"), row.getLong("requests"), row.getLong("tokens"),
                        row.getLong("blocked"), row.getLong("flagged"), row.getLong("errors"), row.getObject("p95", Double.class)))
                .list();
    }

    private static Object utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
