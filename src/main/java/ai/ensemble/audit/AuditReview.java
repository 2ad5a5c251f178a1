package ai.ensemble.audit;

import java.time.Instant;
import java.util.List;

import org.springframework.util.MultiValueMap;

/**
 * The audit log as people review it (the console): the same filters, paging and access records
 * as {@code /admin/api/audit}. Callers check {@code audit:read} first; a bad filter is an
 * {@code ApiException} naming the parameter.
 */
public interface AuditReview {

    /** One event without its prompt or output. */
    record Summary(long seq, Instant recordedAt, String requestId, String kind, String subject, String callerType,
                   List<String> roles, String model, String expert, Integer status, String guardrailAction) {
    }

    /** Newest first; pass {@code nextCursor} back as {@code cursor} for the next page (null on the last). */
    record Page(List<Summary> rows, Long nextCursor) {
    }

    /** One event with its full record (canonical JSON, indented for reading). */
    record Event(long seq, Instant recordedAt, String kind, String hash, String record) {
    }

    /** What the log holds for a time range: requests, tokens used, and requests blocked or flagged by guardrails. */
    record Totals(long requests, long tokens, long blocked, long flagged) {
    }

    /** Filters by the audit API's parameter names, plus {@code cursor} and {@code limit}. */
    Page search(MultiValueMap<String, String> query);

    /**
     * Every event of one request, the prompt and output included. The viewer's access is recorded
     * (under {@code viewedThrough}) before anything is returned; empty when there is no such request.
     */
    List<Event> open(String requestId, String viewedThrough);

    /** Over {@code [from, to)}; only {@code subject}'s requests when it is not null. */
    Totals totals(Instant from, Instant to, String subject);
}
