package ai.ensemble.audit.internal;

import java.time.Instant;
import java.time.ZoneOffset;

import ai.ensemble.audit.AuditReview;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** Counts over a time range for the console's dashboard; tokens come from the response records. */
@Component
public class AuditTotals {

    private static final String TOTALS = """
            select count(*) filter (where kind = 'request') as requests,
                   coalesce(sum(coalesce((replace(record, '\\u0000', '\\ufffd')::jsonb -> 'body' ->> 'prompt_tokens')::bigint, 0)
                              + coalesce((replace(record, '\\u0000', '\\ufffd')::jsonb -> 'body' ->> 'completion_tokens')::bigint, 0))
                            filter (where kind = 'response'), 0) as tokens,
                   count(distinct request_id) filter (where guardrail_action = 'block') as blocked,
                   count(distinct request_id) filter (where guardrail_action = 'flag') as flagged
            from audit_event
            where recorded_at >= ? and recorded_at < ? and kind in ('request', 'response') and (?::text is null or subject = ?)""";

    private final JdbcClient jdbc;

    AuditTotals(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public AuditReview.Totals totals(Instant from, Instant to, String subject) {
        return jdbc.sql(TOTALS)
                .params(from.atOffset(ZoneOffset.UTC), to.atOffset(ZoneOffset.UTC), subject, subject)
                .query((row, n) -> new AuditReview.Totals(row.getLong("requests"), row.getLong("tokens"),
                        row.getLong("blocked"), row.getLong("flagged")))
                .single();
    }
}
