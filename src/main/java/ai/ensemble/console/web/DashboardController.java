package ai.ensemble.console.web;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import ai.ensemble.audit.AuditReview;
import ai.ensemble.security.Caller;
import ai.ensemble.security.Callers;
import ai.ensemble.security.Permissions;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code /console}: totals, time series (requests, tokens, blocked and flagged requests, errors,
 * latency) and breakdowns by expert, role and app from the audit log over a chosen range. Auditors
 * and admins see the whole gateway; everyone else sees only their own requests.
 */
@Controller
class DashboardController {

    private static final String DEFAULT_RANGE = "24h";

    private final AuditReview audit;
    private final JsonMapper json;

    DashboardController(AuditReview audit, JsonMapper json) {
        this.audit = audit;
        this.json = json;
    }

    @GetMapping("/console")
    String dashboard(@RequestParam(defaultValue = DEFAULT_RANGE) String range, Model model, HttpServletResponse response) {
        if (!DashboardData.RANGES.containsKey(range)) {
            response.setStatus(400);
            model.addAttribute("error", rangeRule());
            range = DEFAULT_RANGE;
        }
        DashboardData.Window window = DashboardData.Window.of(range, Instant.now());
        Caller caller = Callers.current();
        boolean everyone = caller.can(Permissions.AUDIT_READ);
        String subject = everyone ? null : caller.subject();
        Map<String, List<AuditReview.Share>> breakdowns = breakdowns(window, subject);
        Map<String, Object> data = DashboardData.of(window, everyone, audit.series(window.from(), window.to(), window.bucket(), subject),
                breakdowns);
        model.addAttribute("ranges", DashboardData.RANGES.keySet());
        model.addAttribute("range", range);
        model.addAttribute("everyone", everyone);
        model.addAttribute("window", window);
        model.addAttribute("totals", audit.totals(window.from(), window.to(), subject));
        model.addAttribute("sums", data.get("sums"));
        Map<String, List<DashboardData.Bar>> bars = new LinkedHashMap<>();
        breakdowns.forEach((dimension, shares) -> bars.put(dimension, DashboardData.Bar.of(shares)));
        model.addAttribute("breakdowns", bars);
        model.addAttribute("dashboardJson", json.writeValueAsString(data));
        return "console/dashboard";
    }

    /** The page's data as JSON, for scripts and for checking what the charts were given. */
    @GetMapping(path = "/console/dashboard/data", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<Map<String, Object>> data(@RequestParam(defaultValue = DEFAULT_RANGE) String range) {
        if (!DashboardData.RANGES.containsKey(range)) {
            Map<String, Object> error = new LinkedHashMap<>();
            error.put("message", rangeRule());
            error.put("param", "range");
            return ResponseEntity.badRequest().body(Map.of("error", error));
        }
        DashboardData.Window window = DashboardData.Window.of(range, Instant.now());
        Caller caller = Callers.current();
        boolean everyone = caller.can(Permissions.AUDIT_READ);
        String subject = everyone ? null : caller.subject();
        return ResponseEntity.ok(DashboardData.of(window, everyone,
                audit.series(window.from(), window.to(), window.bucket(), subject), breakdowns(window, subject)));
    }

    private Map<String, List<AuditReview.Share>> breakdowns(DashboardData.Window window, String subject) {
        Map<String, List<AuditReview.Share>> breakdowns = new LinkedHashMap<>();
        breakdowns.put("expert", audit.breakdown(window.from(), window.to(), AuditReview.Dimension.EXPERT, subject));
        breakdowns.put("role", audit.breakdown(window.from(), window.to(), AuditReview.Dimension.ROLE, subject));
        breakdowns.put("app", audit.breakdown(window.from(), window.to(), AuditReview.Dimension.APP, subject));
        return breakdowns;
    }

    private static String rangeRule() {
        return "'range' must be one of " + String.join(", ", DashboardData.RANGES.keySet());
    }
}
