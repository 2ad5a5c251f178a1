package ai.ensemble.quota.internal;

import java.util.List;
import java.util.UUID;

import ai.ensemble.quota.QuotaLimits;
import org.springframework.stereotype.Service;

/** {@link QuotaLimits} over the same administration as the quota API. */
@Service
class QuotaLimitsService implements QuotaLimits {

    private final QuotaAdministration administration;

    QuotaLimitsService(QuotaAdministration administration) {
        this.administration = administration;
    }

    @Override
    public List<Quota> list() {
        return administration.list().stream().map(QuotaLimitsService::quota).toList();
    }

    @Override
    public Quota create(NewQuota quota, String createdBy) {
        QuotaAdministration.QuotaRequest request = quota == null ? null : new QuotaAdministration.QuotaRequest(quota.subjectType(),
                quota.subject(), quota.window(), quota.maxTokens(), quota.maxRequests());
        return quota(administration.create(request, createdBy));
    }

    @Override
    public Quota changeLimits(UUID id, Long maxTokens, Integer maxRequests) {
        return quota(administration.update(id, new QuotaAdministration.QuotaRequest(null, null, null, maxTokens, maxRequests)));
    }

    @Override
    public Quota delete(UUID id) {
        return quota(administration.delete(id));
    }

    private static Quota quota(QuotaAdministration.QuotaView view) {
        QuotaAdministration.Usage usage = view.usage();
        return new Quota(view.id(), view.subjectType(), view.subject(), view.window(), view.maxTokens(), view.maxRequests(),
                view.createdAt(), view.createdBy(), new Usage(usage.windowStart(), usage.windowEnd(), usage.tokensUsed(),
                usage.tokensReserved(), usage.requests()));
    }
}
