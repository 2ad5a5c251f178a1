package ai.ensemble.audit.web;

import java.time.Instant;
import java.util.List;
import java.util.Set;

import ai.ensemble.audit.AuditReview;
import ai.ensemble.audit.internal.AuditSearch;
import ai.ensemble.audit.internal.AuditSummary;
import ai.ensemble.audit.internal.AuditTotals;
import org.springframework.stereotype.Component;
import org.springframework.util.MultiValueMap;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** {@link AuditReview} over the same search, parameter checks and access records as the audit API. */
@Component
class AuditReviewService implements AuditReview {

    private static final JsonMapper INDENTED = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private final AuditSearch search;
    private final AccessRecords access;
    private final AuditTotals totals;

    AuditReviewService(AuditSearch search, AccessRecords access, AuditTotals totals) {
        this.search = search;
        this.access = access;
        this.totals = totals;
    }

    @Override
    public Page search(MultiValueMap<String, String> query) {
        AuditParameters parameters = AuditParameters.of(query, Set.of("limit", "cursor"));
        AuditSearch.Page page = search.search(parameters.filter(), parameters.cursor(), parameters.limit());
        return new Page(page.data().stream().map(AuditReviewService::summary).toList(), page.nextCursor());
    }

    private static Summary summary(AuditSummary s) {
        return new Summary(s.seq(), s.recordedAt(), s.requestId(), s.kind(), s.subject(), s.callerType(), s.roles(),
                s.model(), s.expert(), s.status(), s.guardrailAction());
    }

    @Override
    public List<Event> open(String requestId, String viewedThrough) {
        List<AuditSearch.RecordedEvent> events = search.request(requestId);
        if (events.isEmpty()) {
            return List.of();
        }
        access.viewed(requestId, events.stream().map(AuditSearch.RecordedEvent::seq).toList(), viewedThrough);
        return events.stream().map(e -> new Event(e.seq(), e.recordedAt(), e.kind(), e.hash(),
                INDENTED.writeValueAsString(e.record()))).toList();
    }

    @Override
    public Totals totals(Instant from, Instant to, String subject) {
        return totals.totals(from, to, subject);
    }
}
