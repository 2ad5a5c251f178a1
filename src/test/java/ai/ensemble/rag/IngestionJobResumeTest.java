package ai.ensemble.rag;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import ai.ensemble.rag.internal.IngestionJobs;
import ai.ensemble.rag.internal.IngestionJobs.JobView;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A job that a stopped gateway left 'running' is resumed at start from its pending items: items
 * already done are not processed again, the rest are, and the job completes.
 */
class IngestionJobResumeTest extends RagTestSupport {

    @Autowired
    IngestionJobs jobs;

    @Test
    void resumesAnInterruptedJobFromItsPendingItems() throws InterruptedException {
        createKnowledgeBase(admin(), "rag-resume");
        UUID job = UUID.randomUUID();
        // As a gateway killed mid-job leaves it: running, one item done (its input dropped), two pending.
        jdbc.sql("insert into ingestion_job (id, kb_id, status, total, done, created_by) values (?, 'rag-resume', 'running', 3, 1, 'test')")
                .param(job).update();
        jdbc.sql("insert into ingestion_item (job_id, position, name, state, external_id) values (?, 0, 'done-before', 'done', 'done-before')")
                .param(job).update();
        for (int i = 1; i <= 2; i++) {
            jdbc.sql("""
                            insert into ingestion_item (job_id, position, name, external_id, title, metadata, text, content_type)
                            values (?, ?, ?, ?, ?, '{}'::jsonb, ?, 'text/plain')""")
                    .params(job, i, "pending-" + i, "pending-" + i, "Pending " + i, "Resumed text number " + i + ".").update();
        }

        int resumed = jobs.resumeInterrupted();

        assertThat(resumed).isGreaterThanOrEqualTo(1);
        JobView finished = await(job);
        assertThat(finished.status()).isEqualTo("completed");
        assertThat(finished.done()).isEqualTo(3);
        assertThat(jdbc.sql("select external_id from kb_document where kb_id = 'rag-resume' order by external_id")
                .query(String.class).list()).containsExactly("pending-1", "pending-2");
        assertThat(jdbc.sql("select count(*) from ingestion_item where job_id = ? and state = 'pending'").param(job)
                .query(Long.class).single()).isZero();
    }

    private JobView await(UUID job) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (Instant.now().isBefore(deadline)) {
            JobView view = jobs.find(job).orElseThrow();
            if (!view.status().equals("running") && !view.status().equals("queued")) {
                return view;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("job " + job + " was not resumed");
    }
}
