package ai.ensemble.rag.internal;

import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/** At start: the vector index is rebuilt from Postgres, then interrupted ingestion jobs resume. */
@Component
class RagStartup {

    private final VectorIndex index;
    private final IngestionJobs jobs;

    RagStartup(VectorIndex index, IngestionJobs jobs) {
        this.index = index;
        this.jobs = jobs;
    }

    @EventListener(ApplicationReadyEvent.class)
    void start() {
        index.rebuild();
        jobs.resumeInterrupted();
    }
}
