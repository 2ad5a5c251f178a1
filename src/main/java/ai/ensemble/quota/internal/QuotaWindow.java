package ai.ensemble.quota.internal;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

/** A quota's window in UTC: the current minute, day or calendar month. */
public enum QuotaWindow {
    MINUTE("minute", "per-minute"),
    DAY("day", "daily"),
    MONTH("month", "monthly");

    private final String id;
    private final String label;

    QuotaWindow(String id, String label) {
        this.id = id;
        this.label = label;
    }

    public static QuotaWindow of(String id) {
        for (QuotaWindow window : values()) {
            if (window.id.equals(id)) {
                return window;
            }
        }
        throw new IllegalArgumentException("unknown quota window " + id);
    }

    public static boolean valid(String id) {
        for (QuotaWindow window : values()) {
            if (window.id.equals(id)) {
                return true;
            }
        }
        return false;
    }

    public String id() {
        return id;
    }

    public String label() {
        return label;
    }

    public Instant start(Instant now) {
        return switch (this) {
            case MINUTE -> now.truncatedTo(ChronoUnit.MINUTES);
            case DAY -> now.truncatedTo(ChronoUnit.DAYS);
            case MONTH -> LocalDate.ofInstant(now, ZoneOffset.UTC).withDayOfMonth(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        };
    }

    public Instant end(Instant start) {
        return switch (this) {
            case MINUTE -> start.plus(1, ChronoUnit.MINUTES);
            case DAY -> start.plus(1, ChronoUnit.DAYS);
            case MONTH -> LocalDate.ofInstant(start, ZoneOffset.UTC).plusMonths(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        };
    }
}
