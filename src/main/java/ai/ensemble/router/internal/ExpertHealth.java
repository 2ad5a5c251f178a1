package ai.ensemble.router.internal;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import ai.ensemble.router.RouterSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * A circuit breaker per expert. A failed probe opens it at once; failed requests open it after
 * {@code failureThreshold} in a row. After {@code openDuration} it is half-open: the expert may be
 * chosen again, the next success (request or probe) closes it and the next failure reopens it at
 * once. State is per replica: each replica probes.
 */
@Component
class ExpertHealth {

    private static final Logger log = LoggerFactory.getLogger(ExpertHealth.class);

    /** What the admin API shows about an expert's health. */
    record Status(boolean healthy, String state, int consecutiveFailures, String lastError, Instant openUntil, Instant lastProbe) {
    }

    private static final class Breaker {
        int failures;
        Instant openUntil;
        String lastError;
        Instant lastProbe;
    }

    private final Map<String, Breaker> breakers = new ConcurrentHashMap<>();
    private final ExpertCatalog catalog;
    private final RouterSettings settings;
    private final Clock clock;

    ExpertHealth(ExpertCatalog catalog, RouterSettings settings) {
        this.catalog = catalog;
        this.settings = settings;
        this.clock = Clock.systemUTC();
    }

    /** Closed, or open with its wait over (half-open: it may be tried again). */
    boolean healthy(String expertId) {
        Breaker breaker = breakers.get(expertId);
        if (breaker == null) {
            return true;
        }
        synchronized (breaker) {
            return breaker.openUntil == null || !clock.instant().isBefore(breaker.openUntil);
        }
    }

    void succeeded(String expertId) {
        Breaker breaker = breakers.get(expertId);
        if (breaker != null) {
            synchronized (breaker) {
                if (breaker.openUntil != null) {
                    log.info("Expert '{}' answers again: circuit closed", expertId);
                }
                breaker.failures = 0;
                breaker.openUntil = null;
            }
        }
    }

    void failed(String expertId, String reason) {
        Breaker breaker = breakers.computeIfAbsent(expertId, id -> new Breaker());
        synchronized (breaker) {
            breaker.failures++;
            breaker.lastError = reason;
            if (breaker.failures >= settings.failureThreshold() || breaker.openUntil != null) {
                open(expertId, breaker);
            }
        }
    }

    private void open(String expertId, Breaker breaker) {
        breaker.openUntil = clock.instant().plus(settings.openDuration());
        log.warn("Expert '{}' is unhealthy ({}): skipped until {}", expertId, breaker.lastError, breaker.openUntil);
    }

    /** Drops what is known about a deleted expert, so a new one of the same id starts healthy. */
    void forget(String expertId) {
        breakers.remove(expertId);
    }

    /** Probes one expert now and records the outcome. */
    Status probe(String expertId) {
        catalog.find(expertId).ifPresent(expert -> {
            boolean up = expert.probe();
            Breaker breaker = breakers.computeIfAbsent(expertId, id -> new Breaker());
            synchronized (breaker) {
                breaker.lastProbe = clock.instant();
                if (up) {
                    breaker.failures = 0;
                    breaker.openUntil = null;
                } else {
                    breaker.failures++;
                    breaker.lastError = "health probe failed";
                    open(expertId, breaker);
                }
            }
        });
        return status(expertId);
    }

    @Scheduled(initialDelayString = "${ensemble.router.probe-interval:30s}", fixedDelayString = "${ensemble.router.probe-interval:30s}")
    void probeAll() {
        catalog.snapshot().experts().keySet().forEach(this::probe);
    }

    Status status(String expertId) {
        Breaker breaker = breakers.get(expertId);
        if (breaker == null) {
            return new Status(true, "closed", 0, null, null, null);
        }
        synchronized (breaker) {
            boolean open = breaker.openUntil != null && clock.instant().isBefore(breaker.openUntil);
            String state = breaker.openUntil == null ? "closed" : open ? "open" : "half_open";
            return new Status(!open, state, breaker.failures, breaker.lastError, breaker.openUntil, breaker.lastProbe);
        }
    }
}
