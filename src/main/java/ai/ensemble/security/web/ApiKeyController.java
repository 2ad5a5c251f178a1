package ai.ensemble.security.web;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import ai.ensemble.security.Callers;
import ai.ensemble.security.internal.ApiKeyAdministration;
import ai.ensemble.security.ApiKeys.IssuedKey;
import ai.ensemble.security.ApiKeys.KeyView;
import ai.ensemble.security.ApiKeys.NewKey;
import ai.ensemble.shared.ApiError;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** {@code /admin/api/keys}: permission {@code admin:keys}. */
@RestController
@RequestMapping("/admin/api/keys")
class ApiKeyController {

    private final ApiKeyAdministration keys;

    ApiKeyController(ApiKeyAdministration keys) {
        this.keys = keys;
    }

    /** The response is the only place the key's secret ever appears. */
    @PostMapping(consumes = "application/json")
    @ResponseStatus(HttpStatus.CREATED)
    IssuedKeyResponse issue(@RequestBody NewKey request) {
        IssuedKey issued = keys.issue(request, Callers.current().subject());
        KeyView key = issued.key();
        return new IssuedKeyResponse(key.id(), key.name(), issued.secret(), key.prefix(), key.roles(), key.owner(),
                key.createdAt(), key.expiresAt());
    }

    record IssuedKeyResponse(UUID id, String name, String key, String prefix, List<String> roles, String owner,
                             Instant createdAt, Instant expiresAt) {
    }

    @GetMapping
    Map<String, List<KeyView>> list() {
        return Map.of("data", keys.list());
    }

    @GetMapping("/{id}")
    KeyView one(@PathVariable UUID id) {
        return keys.find(id).orElseThrow(() -> ApiError.notFound("id", "No API key with id " + id, "key_not_found").exception());
    }

    @DeleteMapping("/{id}")
    KeyView revoke(@PathVariable UUID id) {
        return keys.revoke(id);
    }
}
