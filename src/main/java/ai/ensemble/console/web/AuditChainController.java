package ai.ensemble.console.web;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Instant;
import java.time.format.DateTimeParseException;

import ai.ensemble.audit.AuditReview;
import ai.ensemble.shared.ApiException;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The audit page's tools (permission {@code audit:read}, checked by the console's chain): verifying
 * the hash chain over the form's time range, and exporting what the form's filters match as CSV or
 * JSONL with the signed-in session. An export is recorded as an access before its first byte, as the
 * audit API's export is.
 */
@Controller
class AuditChainController {

    private final AuditReview audit;

    AuditChainController(AuditReview audit) {
        this.audit = audit;
    }

    /** Recomputes the chain over {@code [from, to)} (either open-ended when empty); answers the result fragment for htmx. */
    @PostMapping("/console/audit/verify")
    String verify(@RequestParam(required = false) String from, @RequestParam(required = false) String to, Model model,
                  HttpServletResponse response) {
        try {
            Instant start = instant("from", from);
            Instant end = instant("to", to);
            if (start != null && end != null && !end.isAfter(start)) {
                throw new IllegalArgumentException("'to' must be after 'from'");
            }
            model.addAttribute("verification", audit.verify(start, end));
        } catch (IllegalArgumentException e) {
            response.setStatus(400);
            model.addAttribute("error", e.getMessage());
        }
        return "console/audit-verify :: result";
    }

    /** Every event the filters match, oldest first, as a download; a bad filter is a 400 naming it. */
    @GetMapping("/console/audit/export")
    void export(@RequestParam MultiValueMap<String, String> query, HttpServletResponse response) throws IOException, SQLException {
        MultiValueMap<String, String> checked = new LinkedMultiValueMap<>();
        query.forEach((name, values) -> {
            // As the filter form sends them: empty fields are absent, and unknown names are refused by the audit module.
            if (!name.equals("limit")) {
                values.stream().filter(v -> !v.isBlank()).forEach(v -> checked.add(name, AuditPageController.instant(name, v)));
            }
        });
        AuditReview.Export export;
        try {
            export = audit.export(checked, "/console/audit/export");
        } catch (ApiException e) {
            response.setStatus(e.error().status().value());
            response.setContentType(MediaType.TEXT_PLAIN_VALUE + ";charset=utf-8");
            response.getOutputStream().write(e.error().message().getBytes(StandardCharsets.UTF_8));
            return;
        }
        response.setContentType(export.mediaType());
        response.setHeader(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"" + export.fileName() + "\"");
        try {
            export.writeTo(response.getOutputStream());
        } catch (IOException | SQLException | RuntimeException e) {
            // As the audit API does: reset while nothing went out; after that, let the transfer break visibly.
            if (!response.isCommitted()) {
                response.reset();
            }
            throw e;
        }
    }

    private static Instant instant(String name, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(AuditPageController.instant(name, value.strip()));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + name + "' must be a date and time such as 2026-01-31T12:00 (UTC)");
        }
    }
}
