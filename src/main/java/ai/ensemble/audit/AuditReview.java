package ai.ensemble.audit;

import java.io.IOException;
import java.io.OutputStream;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.springframework.util.MultiValueMap;

/**
 * The audit log as people review it (the console): the same filters, paging, access records, chain
 * verification and export as {@code /admin/api/audit}, and the dashboard's totals, time series and
 * breakdowns. Callers check {@code audit:read} first (the dashboard's figures excepted, which they
 * restrict to the caller's own subject); a bad filter is an {@code ApiException} naming the parameter.
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

    /**
     * One bucket of a time series, starting at {@code start}: requests (request records), tokens,
     * requests blocked or flagged by guardrails, errors (outcomes with a non-2xx status) and the
     * median and 95th-percentile latency of the outcomes in milliseconds (null where none finished).
     */
    record Point(Instant start, long requests, long tokens, long blocked, long flagged, long errors,
                 Double latencyP50Ms, Double latencyP95Ms) {
    }

    /** Every bucket of {@code [from, to)}, oldest first, empty ones included. */
    record Series(Instant from, Instant to, Duration bucket, List<Point> points) {
    }

    /** What a breakdown groups requests by; a request with several roles counts once for each. */
    enum Dimension {
        EXPERT, ROLE, APP
    }

    /** One group of a breakdown, counted from the requests' outcome records; {@code key} is "(none)" where unset. */
    record Share(String key, long requests, long tokens, long blocked, long flagged, long errors, Double latencyP95Ms) {
    }

    /**
     * The outcome of recomputing the hash chain: {@code checked} events verified; where it is broken,
     * the first broken sequence number and why.
     */
    record Verification(boolean valid, long checked, Long firstBrokenSeq, String reason, Long fromSeq, Long toSeq) {
    }

    /** An export whose access is already recorded: write it once to the reader. */
    interface Export {
        String fileName();

        String mediaType();

        void writeTo(OutputStream out) throws IOException, SQLException;
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

    /**
     * Counts and latencies over {@code [from, to)} in buckets of {@code bucket}, computed by the
     * database; only {@code subject}'s requests when it is not null. {@code from} is the first
     * bucket's start and {@code to - from} must be a whole number of buckets.
     */
    Series series(Instant from, Instant to, Duration bucket, String subject);

    /** Requests over {@code [from, to)} grouped {@code by}, most requests first (at most 20 groups). */
    List<Share> breakdown(Instant from, Instant to, Dimension by, String subject);

    /** Recomputes the chain over {@code [from, to)} (either may be null: open-ended), as {@code /admin/api/audit/verify} does. */
    Verification verify(Instant from, Instant to);

    /**
     * Checks the filters and {@code format} (jsonl or csv) as {@code /admin/api/audit/export} does,
     * then records the export as an access (endpoint {@code exportedThrough}) before anything is
     * written; a bad parameter is an {@code ApiException} naming it.
     */
    Export export(MultiValueMap<String, String> query, String exportedThrough);
}
