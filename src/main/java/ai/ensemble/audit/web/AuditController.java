package ai.ensemble.audit.web;

import java.sql.SQLException;
import java.time.Instant;

import ai.ensemble.audit.internal.ChainVerifier;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code /admin/api/audit}: permission {@code audit:read}. */
@RestController
@RequestMapping("/admin/api/audit")
class AuditController {

    private final ChainVerifier verifier;

    AuditController(ChainVerifier verifier) {
        this.verifier = verifier;
    }

    /** Recomputes the chain over {@code [from, to)} (ISO-8601 instants; open-ended when absent). */
    @GetMapping("/verify")
    ChainVerifier.Result verify(@RequestParam(required = false) Instant from, @RequestParam(required = false) Instant to)
            throws SQLException {
        return verifier.verify(from, to);
    }
}
