package ai.ensemble.quota;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Quotas as administrators manage them outside the REST API (the console): the same rules and
 * storage as {@code /admin/api/quotas}, each quota with its usage in the current window. Callers
 * check {@code admin:policies} first; a broken rule is an {@code ApiException} whose {@code param}
 * names the field, and nothing is written.
 */
public interface QuotaLimits {

    /** A new quota: {@code subjectType} user, role or api_key; {@code window} minute, day or month; at least one limit. */
    record NewQuota(String subjectType, String subject, String window, Long maxTokens, Integer maxRequests) {
    }

    /** Usage in the window {@code [windowStart, windowEnd)}: tokens settled, tokens held by running requests, requests. */
    record Usage(Instant windowStart, Instant windowEnd, long tokensUsed, long tokensReserved, int requests) {
    }

    record Quota(UUID id, String subjectType, String subject, String window, Long maxTokens, Integer maxRequests,
                 Instant createdAt, String createdBy, Usage usage) {
    }

    /** By subject type, subject and window. */
    List<Quota> list();

    Quota create(NewQuota quota, String createdBy);

    /** Replaces the limits (null for none; at least one); subject and window never change. */
    Quota changeLimits(UUID id, Long maxTokens, Integer maxRequests);

    Quota delete(UUID id);
}
