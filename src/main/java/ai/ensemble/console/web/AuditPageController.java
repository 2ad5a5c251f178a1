package ai.ensemble.console.web;

import java.util.List;
import java.util.regex.Pattern;

import ai.ensemble.audit.AuditReview;
import ai.ensemble.shared.ApiException;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.server.ResponseStatusException;

/**
 * {@code /console/audit} (permission {@code audit:read}, checked by the console's chain): the audit
 * API's filters, a results table paged by keyset through htmx, and one request's records, whose
 * opening is itself recorded in the audit log.
 */
@Controller
class AuditPageController {

    /** What an HTML {@code datetime-local} field sends; read as UTC. */
    private static final Pattern LOCAL_TIME = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2})?");
    static final List<String> FILTERS = List.of("from", "to", "subject", "role", "expert", "status", "kind",
            "guardrailAction", "requestId", "q", "limit");

    private final AuditReview audit;

    AuditPageController(AuditReview audit) {
        this.audit = audit;
    }

    @GetMapping("/console/audit")
    String page(@RequestParam MultiValueMap<String, String> query, Model model, HttpServletResponse response) {
        model.addAttribute("filters", query.toSingleValueMap());
        rows(query, model, response);
        return "console/audit";
    }

    /** One page of rows and the button that fetches the next: what htmx swaps in. */
    @GetMapping("/console/audit/rows")
    String rows(@RequestParam MultiValueMap<String, String> query, Model model, HttpServletResponse response) {
        MultiValueMap<String, String> checked = new LinkedMultiValueMap<>();
        query.forEach((name, values) -> {
            if (FILTERS.contains(name) || name.equals("cursor")) { // anything else is ignored, as a form's extras would be
                values.stream().filter(v -> !v.isBlank()).forEach(v -> checked.add(name, instant(name, v)));
            }
        });
        try {
            AuditReview.Page page = audit.search(checked);
            model.addAttribute("page", page);
            checked.remove("cursor");
            model.addAttribute("query", checked.toSingleValueMap());
        } catch (ApiException e) {
            response.setStatus(400);
            model.addAttribute("error", e.error().message());
        }
        return "console/audit-rows :: rows";
    }

    @GetMapping("/console/audit/requests/{requestId}")
    String request(@PathVariable String requestId, Model model) {
        List<AuditReview.Event> events = audit.open(requestId, "/console/audit/requests/{requestId}");
        if (events.isEmpty()) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND, "No audit events for this request id");
        }
        model.addAttribute("requestId", requestId);
        model.addAttribute("events", events);
        model.addAttribute("view", RequestView.of(events));
        return "console/audit-request";
    }

    /** A {@code from} or {@code to} in the form's local-time shape becomes an ISO instant (UTC); anything else is left as typed. */
    static String instant(String name, String value) {
        if ((name.equals("from") || name.equals("to")) && LOCAL_TIME.matcher(value).matches()) {
            return value.length() == 16 ? value + ":00Z" : value + "Z";
        }
        return value;
    }
}
