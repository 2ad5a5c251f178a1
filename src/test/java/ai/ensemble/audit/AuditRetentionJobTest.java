package ai.ensemble.audit;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;

import ai.ensemble.audit.internal.AuditRetention;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;
import org.springframework.scheduling.config.CronTask;
import org.springframework.scheduling.config.ScheduledTaskHolder;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The retention job as the application runs it (role ensemble_app, shared database). Dropping a
 * month that holds events is tested on a database of its own: {@code internal.AuditRetentionTest}.
 */
class AuditRetentionJobTest extends AuditApiTest {

    @Autowired
    private AuditRetention retention;

    @Autowired
    private ApplicationContext context;

    private boolean partitionExists(YearMonth month) {
        String name = "audit_event_%d_%02d".formatted(month.getYear(), month.getMonthValue());
        return jdbc.sql("select to_regclass(?) is not null").param(name).query(Boolean.class).single();
    }

    @Test
    void dropsAnExpiredMonthRecordsItAndTheChainStillVerifies() throws Exception {
        YearMonth expired = YearMonth.of(2023, 1);
        superuser().sql("select audit_ensure_partition(?)").param(expired.atDay(1)).query(String.class).single();
        assertThat(partitionExists(expired)).isTrue();

        List<YearMonth> dropped = retention.apply(Instant.now());

        assertThat(dropped).containsExactly(expired);
        assertThat(partitionExists(expired)).isFalse();
        assertThat(partitionExists(YearMonth.now(ZoneOffset.UTC).minusMonths(1))).isTrue();
        JsonNode page = ok(audit("?kind=retention&requestId=retention_2023-01"));
        assertThat(page.get("data")).singleElement()
                .satisfies(item -> assertThat(item.get("subject").asString()).isEqualTo("ensemble:audit-retention"));
        JsonNode record = JSON.readTree(jdbc.sql("select record from audit_event where request_id = 'retention_2023-01'")
                .query(String.class).single());
        assertThat(record.at("/body/dropped_month").asString()).isEqualTo("2023-01");
        assertThat(record.at("/body/last_dropped_seq").isNull()).isTrue();
        JsonNode verified = ok(audit("/verify"));
        assertThat(verified.get("valid").asBoolean()).as(verified.toString()).isTrue();
    }

    @Test
    void createsThePartitionsOfTheComingMonths() throws Exception {
        YearMonth twoAhead = YearMonth.now(ZoneOffset.UTC).plusMonths(2);
        String name = "audit_event_%d_%02d".formatted(twoAhead.getYear(), twoAhead.getMonthValue());
        superuser().sql("drop table " + name).update(); // empty: nothing is recorded two months ahead
        assertThat(partitionExists(twoAhead)).isFalse();

        retention.apply(Instant.now());

        assertThat(partitionExists(twoAhead)).isTrue();
    }

    @Test
    void theApplicationCannotDropTheMonthBeingWritten() {
        assertThatThrownBy(() -> jdbc.sql("select audit_drop_month(date_trunc('month', now())::date)")
                .query(Long.class).optional())
                .rootCause().hasMessageContaining("has not ended");
        assertThat(partitionExists(YearMonth.now(ZoneOffset.UTC))).isTrue();
    }

    @Test
    void retentionRunsDaily() {
        // A scheduled method's task names it as Class.method (the runnable is wrapped to track outcomes).
        String daily = AuditRetention.class.getName() + ".daily";
        List<CronTask> tasks = context.getBeansOfType(ScheduledTaskHolder.class).values().stream()
                .flatMap(holder -> holder.getScheduledTasks().stream())
                .filter(task -> task.getTask() instanceof CronTask && task.getTask().toString().equals(daily))
                .map(task -> (CronTask) task.getTask())
                .distinct()
                .toList();

        assertThat(tasks).singleElement().satisfies(task -> assertThat(task.getExpression()).isEqualTo("0 17 3 * * *"));
    }
}
