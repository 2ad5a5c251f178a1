package ai.ensemble.audit.internal;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import javax.sql.DataSource;

import ai.ensemble.audit.AuditEvent;
import ai.ensemble.audit.AuditLog;
import ai.ensemble.audit.AuditSettings;
import ai.ensemble.audit.AuditUnavailableException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/** {@link AuditLog} on the group-commit writer: {@link #append} returns once the event committed. */
@Component
class ChainedAuditLog implements AuditLog, DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(ChainedAuditLog.class);

    private final GroupCommitWriter writer;
    private final AuditSettings settings;
    private final Counter lost;

    ChainedAuditLog(DataSource dataSource, AuditSettings settings, MeterRegistry meters) {
        this.writer = new GroupCommitWriter(dataSource, settings.maxBatch(), settings.queueCapacity(), meters);
        this.settings = settings;
        this.lost = Counter.builder("ensemble.audit.lost")
                .description("Audit events that could not be committed while the deployment runs fail-open")
                .register(meters);
    }

    @Override
    public void append(AuditEvent event) {
        try {
            writer.submit(event).get(settings.commitTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            unavailable(event, e);
        } catch (ExecutionException | TimeoutException e) {
            unavailable(event, e);
        }
    }

    private void unavailable(AuditEvent event, Exception cause) {
        if (settings.failOpen()) {
            lost.increment();
            log.error("AUDIT EVENT LOST (fail-open): {} {}", event.kind().label(), event.requestId(), cause);
            return;
        }
        throw new AuditUnavailableException("The audit store could not record this request", cause);
    }

    /** Runs after the web server stopped taking requests, so queued events still commit. */
    @Override
    public void destroy() throws InterruptedException {
        writer.close();
    }
}
