package ai.ensemble.console.web;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import ai.ensemble.audit.AuditReview;
import ai.ensemble.security.Caller;
import ai.ensemble.security.Callers;
import ai.ensemble.security.Permissions;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * {@code /console}: counts from the audit log over a chosen range. Auditors and admins see the whole
 * gateway; everyone else sees only their own requests.
 */
@Controller
class DashboardController {

    static final Map<String, Duration> RANGES = new LinkedHashMap<>();

    static {
        RANGES.put("1h", Duration.ofHours(1));
        RANGES.put("24h", Duration.ofHours(24));
        RANGES.put("7d", Duration.ofDays(7));
        RANGES.put("30d", Duration.ofDays(30));
    }

    private final AuditReview audit;

    DashboardController(AuditReview audit) {
        this.audit = audit;
    }

    @GetMapping("/console")
    String dashboard(@RequestParam(defaultValue = "24h") String range, Model model) {
        Duration length = RANGES.getOrDefault(range, RANGES.get("24h"));
        String chosen = RANGES.containsKey(range) ? range : "24h";
        Caller caller = Callers.current();
        boolean everyone = caller.can(Permissions.AUDIT_READ);
        Instant to = Instant.now();
        model.addAttribute("ranges", RANGES.keySet());
        model.addAttribute("range", chosen);
        model.addAttribute("everyone", everyone);
        model.addAttribute("totals", audit.totals(to.minus(length), to.plusSeconds(1), everyone ? null : caller.subject()));
        return "console/dashboard";
    }
}
