package ai.ensemble.console.web;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import ai.ensemble.audit.AuditReview;

/**
 * What the dashboard draws for one range, as the JSON its charts read: the series in columns (uPlot
 * takes one array per series, {@code t} in epoch seconds), their sums, and the breakdowns by expert,
 * role and app. The same object is embedded in the page and served by {@code /console/dashboard/data}.
 */
final class DashboardData {

    /** A selectable range and the bucket its charts use (about 60 to 100 points each). */
    record Range(Duration length, Duration bucket) {
    }

    static final Map<String, Range> RANGES = new LinkedHashMap<>();

    static {
        RANGES.put("1h", new Range(Duration.ofHours(1), Duration.ofMinutes(1)));
        RANGES.put("24h", new Range(Duration.ofHours(24), Duration.ofMinutes(15)));
        RANGES.put("7d", new Range(Duration.ofDays(7), Duration.ofHours(2)));
        RANGES.put("30d", new Range(Duration.ofDays(30), Duration.ofHours(12)));
    }

    /** {@code [from, to)}: whole buckets from the one holding {@code now - length} to the one holding {@code now}. */
    record Window(String range, Instant from, Instant to, Duration bucket) {

        static Window of(String range, Instant now) {
            Range chosen = RANGES.get(range);
            long bucket = chosen.bucket().toMillis();
            Instant from = Instant.ofEpochMilli(Math.floorDiv(now.minus(chosen.length()).toEpochMilli(), bucket) * bucket);
            Instant to = Instant.ofEpochMilli((Math.floorDiv(now.toEpochMilli(), bucket) + 1) * bucket);
            return new Window(range, from, to, chosen.bucket());
        }
    }

    /** A breakdown row with its bar's length: its requests as a percentage of the largest group's. */
    record Bar(AuditReview.Share share, long percent) {

        static List<Bar> of(List<AuditReview.Share> shares) {
            long most = shares.stream().mapToLong(AuditReview.Share::requests).max().orElse(0);
            return shares.stream().map(s -> new Bar(s, most == 0 ? 0 : Math.round(100.0 * s.requests() / most))).toList();
        }
    }

    private DashboardData() {
    }

    static Map<String, Object> of(Window window, boolean everyone, AuditReview.Series series,
                                  Map<String, List<AuditReview.Share>> breakdowns) {
        List<AuditReview.Point> points = series.points();
        Map<String, Object> columns = new LinkedHashMap<>();
        columns.put("t", column(points, p -> p.start().getEpochSecond()));
        columns.put("requests", column(points, AuditReview.Point::requests));
        columns.put("tokens", column(points, AuditReview.Point::tokens));
        columns.put("blocked", column(points, AuditReview.Point::blocked));
        columns.put("flagged", column(points, AuditReview.Point::flagged));
        columns.put("errors", column(points, AuditReview.Point::errors));
        columns.put("p50", column(points, p -> rounded(p.latencyP50Ms())));
        columns.put("p95", column(points, p -> rounded(p.latencyP95Ms())));

        Map<String, Object> sums = new LinkedHashMap<>();
        sums.put("requests", points.stream().mapToLong(AuditReview.Point::requests).sum());
        sums.put("tokens", points.stream().mapToLong(AuditReview.Point::tokens).sum());
        sums.put("blocked", points.stream().mapToLong(AuditReview.Point::blocked).sum());
        sums.put("flagged", points.stream().mapToLong(AuditReview.Point::flagged).sum());
        sums.put("errors", points.stream().mapToLong(AuditReview.Point::errors).sum());

        Map<String, Object> groups = new LinkedHashMap<>();
        breakdowns.forEach((dimension, shares) -> groups.put(dimension, shares.stream().map(DashboardData::share).toList()));

        Map<String, Object> data = new LinkedHashMap<>();
        data.put("range", window.range());
        data.put("from", window.from().toString());
        data.put("to", window.to().toString());
        data.put("bucketSeconds", window.bucket().toSeconds());
        data.put("scope", everyone ? "all" : "own");
        data.put("series", columns);
        data.put("sums", sums);
        data.put("breakdown", groups);
        return data;
    }

    private static Map<String, Object> share(AuditReview.Share share) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("key", share.key());
        row.put("requests", share.requests());
        row.put("tokens", share.tokens());
        row.put("blocked", share.blocked());
        row.put("flagged", share.flagged());
        row.put("errors", share.errors());
        row.put("p95", rounded(share.latencyP95Ms()));
        return row;
    }

    private static <T> List<T> column(List<AuditReview.Point> points, Function<AuditReview.Point, T> value) {
        List<T> column = new ArrayList<>(points.size());
        points.forEach(point -> column.add(value.apply(point)));
        return column;
    }

    private static Double rounded(Double milliseconds) {
        return milliseconds == null ? null : Math.round(milliseconds * 10) / 10.0;
    }
}
