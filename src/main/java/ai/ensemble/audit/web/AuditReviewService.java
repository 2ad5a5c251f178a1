package ai.ensemble.audit.web;

import java.io.IOException;
import java.io.OutputStream;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import ai.ensemble.audit.AuditReview;
import ai.ensemble.audit.internal.AuditExport;
import ai.ensemble.audit.internal.AuditFilter;
import ai.ensemble.audit.internal.AuditSearch;
import ai.ensemble.audit.internal.AuditSeries;
import ai.ensemble.audit.internal.AuditSummary;
import ai.ensemble.audit.internal.AuditTotals;
import ai.ensemble.audit.internal.ChainVerifier;
import ai.ensemble.audit.internal.ExportFormat;
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
    private final AuditSeries series;
    private final ChainVerifier verifier;
    private final AuditExport export;

    AuditReviewService(AuditSearch search, AccessRecords access, AuditTotals totals, AuditSeries series,
                       ChainVerifier verifier, AuditExport export) {
        this.search = search;
        this.access = access;
        this.totals = totals;
        this.series = series;
        this.verifier = verifier;
        this.export = export;
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

    @Override
    public Series series(Instant from, Instant to, Duration bucket, String subject) {
        return series.series(from, to, bucket, subject);
    }

    @Override
    public List<Share> breakdown(Instant from, Instant to, Dimension by, String subject) {
        return series.breakdown(from, to, by, subject);
    }

    @Override
    public Verification verify(Instant from, Instant to) {
        try {
            ChainVerifier.Result result = verifier.verify(from, to);
            return new Verification(result.valid(), result.checked(), result.firstBrokenSeq(), result.reason(),
                    result.fromSeq(), result.toSeq());
        } catch (SQLException e) {
            throw new IllegalStateException("The audit chain could not be read", e);
        }
    }

    @Override
    public Export export(MultiValueMap<String, String> query, String exportedThrough) {
        AuditParameters parameters = AuditParameters.of(query, Set.of("format"));
        AuditFilter filter = parameters.filter();
        ExportFormat format = parameters.format();
        access.exported(filter, format, exportedThrough);
        String fileName = format.fileName(Instant.now());
        return new Export() {
            @Override
            public String fileName() {
                return fileName;
            }

            @Override
            public String mediaType() {
                return format.mediaType();
            }

            @Override
            public void writeTo(OutputStream out) throws IOException, SQLException {
                export.export(filter, format, out);
            }
        };
    }
}
