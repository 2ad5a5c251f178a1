package ai.ensemble.quota.web;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import ai.ensemble.quota.internal.QuotaAdministration;
import ai.ensemble.quota.internal.QuotaAdministration.QuotaRequest;
import ai.ensemble.quota.internal.QuotaAdministration.QuotaView;
import ai.ensemble.security.Callers;
import ai.ensemble.shared.ApiError;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** {@code /admin/api/quotas}: token budgets and request rates; permission {@code admin:policies}. */
@RestController
@RequestMapping("/admin/api/quotas")
class QuotaController {

    private final QuotaAdministration quotas;

    QuotaController(QuotaAdministration quotas) {
        this.quotas = quotas;
    }

    @PostMapping(consumes = "application/json")
    @ResponseStatus(HttpStatus.CREATED)
    QuotaView create(@RequestBody QuotaRequest request) {
        return quotas.create(request, Callers.current().subject());
    }

    /** Every quota with its usage in the current window. */
    @GetMapping
    Map<String, List<QuotaView>> list() {
        return Map.of("data", quotas.list());
    }

    @GetMapping("/{id}")
    QuotaView one(@PathVariable UUID id) {
        return quotas.find(id).orElseThrow(() -> ApiError.notFound("id", "No quota with id " + id, "quota_not_found").exception());
    }

    @PutMapping(path = "/{id}", consumes = "application/json")
    QuotaView update(@PathVariable UUID id, @RequestBody QuotaRequest request) {
        return quotas.update(id, request);
    }

    @DeleteMapping("/{id}")
    QuotaView delete(@PathVariable UUID id) {
        return quotas.delete(id);
    }
}
