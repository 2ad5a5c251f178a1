package ai.ensemble.audit;

import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

/** Searching the audit log: every filter, keyset paging, full text, and summaries without text. */
class AuditSearchTest extends AuditApiTest {

    private static final Set<String> SUMMARY_FIELDS = Set.of("seq", "recordedAt", "requestId", "kind", "subject",
            "callerType", "roles", "apiKeyId", "clientApp", "model", "expert", "status", "guardrailAction");

    @Autowired
    private AuditLog auditLog;

    private void append(AuditEvent.Kind kind, String requestId, String subject, Set<String> roles, UUID apiKey,
                        String expert, Integer status, String guardrailAction, Map<String, Object> body) {
        auditLog.append(new AuditEvent(kind, requestId, Instant.now(), subject, "jwt", roles, apiKey, "console",
                "/v1/chat/completions", "model-x", expert, status, guardrailAction, body));
    }

    private long seq(String requestId, String kind) {
        return jdbc.sql("select seq from audit_event where request_id = ? and kind = ?").params(requestId, kind)
                .query(Long.class).single();
    }

    private Instant recordedAt(long seq) {
        return jdbc.sql("select recorded_at from audit_event where seq = ?").param(seq)
                .query(java.sql.Timestamp.class).single().toInstant();
    }

    private List<Long> found(String query) {
        JsonNode page = ok(audit("?limit=500&" + query));
        return seqs(page);
    }

    @Test
    void eachFilterFindsExactlyTheMatchingEvents() {
        String a = unique("req_a");
        String b = unique("req_b");
        String alice = unique("alice");
        String bob = unique("bob");
        String auditee = unique("auditee");
        String reader = unique("reader");
        String expert = unique("expert");
        String block = unique("block");
        String promptWord = unique("prompt");
        String outputWord = unique("output");
        UUID aliceKey = UUID.randomUUID();
        UUID bobKey = UUID.randomUUID();
        append(AuditEvent.Kind.REQUEST, a, alice, Set.of("user", auditee), aliceKey, null, null, null,
                Map.of("messages", List.of(Map.of("role", "user", "content", "say " + promptWord))));
        append(AuditEvent.Kind.RESPONSE, a, alice, Set.of("user", auditee), aliceKey, expert, 200, null,
                Map.of("output", "I say " + outputWord));
        append(AuditEvent.Kind.REQUEST, b, bob, Set.of("user"), bobKey, null, null, null, Map.of("messages", List.of()));
        append(AuditEvent.Kind.RESPONSE, b, bob, Set.of("user"), bobKey, expert, 451, block, Map.of("output", ""));
        append(AuditEvent.Kind.ACCESS, a, unique("carol"), Set.of(reader), null, null, null, null,
                Map.of("viewed_request_id", a));
        long a1 = seq(a, "request");
        long a2 = seq(a, "response");
        long b1 = seq(b, "request");
        long b2 = seq(b, "response");
        long c1 = seq(a, "access");

        assertThat(found("subject=" + alice)).containsExactly(a2, a1);
        assertThat(found("role=" + auditee)).containsExactly(a2, a1);
        assertThat(found("role=" + reader)).containsExactly(c1);
        assertThat(found("apiKeyId=" + bobKey)).containsExactly(b2, b1);
        assertThat(found("expert=" + expert)).containsExactly(b2, a2);
        assertThat(found("guardrailAction=" + block)).containsExactly(b2);
        assertThat(found("requestId=" + a)).containsExactly(c1, a2, a1);
        assertThat(found("requestId=" + a + "&kind=access")).containsExactly(c1);
        assertThat(found("requestId=" + b + "&kind=response")).containsExactly(b2);
        assertThat(found("q=" + promptWord)).containsExactly(a1);
        assertThat(found("q=" + outputWord)).containsExactly(a2);

        JsonNode byStatus = ok(audit("?limit=500&status=451"));
        assertThat(seqs(byStatus)).contains(b2).doesNotContain(a2, b1);
        byStatus.get("data").forEach(item -> assertThat(item.get("status").asInt()).isEqualTo(451));
        JsonNode byKind = ok(audit("?limit=500&kind=access"));
        assertThat(seqs(byKind)).contains(c1).doesNotContain(a1, a2, b1, b2);
        byKind.get("data").forEach(item -> assertThat(item.get("kind").asString()).isEqualTo("access"));

        Instant split = recordedAt(b1);
        assertThat(recordedAt(a2)).isBefore(split);
        assertThat(found("from=" + split)).contains(b1, b2, c1).doesNotContain(a1, a2);
        assertThat(found("to=" + split)).contains(a1, a2).doesNotContain(b1, b2, c1);
        assertThat(found("from=" + recordedAt(a1) + "&to=" + split)).containsExactly(a2, a1);
    }

    @Test
    void summariesCarryNoPromptOrOutput() {
        String secret = unique("secret");
        String requestId = chat(ECHO_EXPERT, "the word is " + secret);

        HttpResponse<String> response = audit("?requestId=" + requestId);

        JsonNode page = ok(response);
        assertThat(page.get("data")).hasSize(2);
        for (JsonNode item : page.get("data")) {
            Set<String> fields = new HashSet<>(item.propertyNames());
            assertThat(fields).isEqualTo(SUMMARY_FIELDS);
        }
        assertThat(response.body()).doesNotContain(secret);
        assertThat(page.get("nextCursor").isNull()).isTrue();
    }

    @Test
    void keysetPagesAreDisjointAndCoverEveryMatch() {
        String subject = unique("pager");
        for (int i = 0; i < 7; i++) {
            append(AuditEvent.Kind.REQUEST, unique("req_page"), subject, Set.of("user"), null, null, null, null, Map.of());
        }
        List<Long> all = jdbc.sql("select seq from audit_event where subject = ? order by seq desc").param(subject)
                .query(Long.class).list();

        List<List<Long>> pages = new ArrayList<>();
        String cursor = "";
        do {
            JsonNode page = ok(audit("?subject=" + subject + "&limit=3" + cursor));
            pages.add(seqs(page));
            cursor = page.get("nextCursor").isNull() ? null : "&cursor=" + page.get("nextCursor").asLong();
        } while (cursor != null);

        assertThat(pages).extracting(List::size).containsExactly(3, 3, 1);
        assertThat(pages.stream().flatMap(List::stream).toList()).isEqualTo(all);
    }

    @Test
    void fullTextFindsARequestByAWordOfItsPromptAndOfItsOutput() {
        String asked = unique("capital");
        String answered = unique("paris");
        StubMapping stub = UPSTREAM.stubFor(com.github.tomakehurst.wiremock.client.WireMock.post(urlEqualTo("/v1/chat/completions"))
                .willReturn(aResponse().withHeader("Content-Type", "text/event-stream").withBody("""
                        data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":"It is %s."},"finish_reason":null}]}

                        data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}

                        data: [DONE]

                        """.formatted(answered))));
        try {
            String requestId = chat(UPSTREAM_EXPERT, "What is the " + asked + "?");

            JsonNode byPrompt = ok(audit("?q=" + asked));
            JsonNode byOutput = ok(audit("?q=" + encoded("\"It is " + answered + "\"")));

            assertThat(byPrompt.get("data")).singleElement().satisfies(item -> {
                assertThat(item.get("requestId").asString()).isEqualTo(requestId);
                assertThat(item.get("kind").asString()).isEqualTo("request");
            });
            assertThat(byOutput.get("data")).singleElement().satisfies(item -> {
                assertThat(item.get("requestId").asString()).isEqualTo(requestId);
                assertThat(item.get("kind").asString()).isEqualTo("response");
            });
        } finally {
            UPSTREAM.removeStub(stub);
        }
    }

    @Test
    void badParametersAreRefusedNamingTheParameter() {
        Map<String, String> refused = Map.ofEntries(
                Map.entry("?limit=0", "limit"), Map.entry("?limit=501", "limit"), Map.entry("?limit=ten", "limit"),
                Map.entry("?status=ok", "status"), Map.entry("?status=42", "status"),
                Map.entry("?from=yesterday", "from"), Map.entry("?to=2026-01-01", "to"),
                Map.entry("?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", "to"),
                Map.entry("?apiKeyId=key-1", "apiKeyId"), Map.entry("?kind=debug", "kind"),
                Map.entry("?cursor=0", "cursor"), Map.entry("?cursor=last", "cursor"),
                Map.entry("?subjet=alice", "subjet"), Map.entry("?subject=a&subject=b", "subject"),
                Map.entry("/export?format=xml", "format"), Map.entry("/export?limit=5", "limit"),
                Map.entry("/export?status=abc", "status"));
        refused.forEach((query, parameter) -> {
            HttpResponse<String> response = audit(query);
            assertThat(response.statusCode()).as(query).isEqualTo(400);
            JsonNode error = json(response).get("error");
            assertThat(error.get("param").asString()).as(query).isEqualTo(parameter);
            assertThat(error.get("type").asString()).isEqualTo("invalid_request_error");
        });
    }

    @Test
    void aUserKeyCannotReadTheAuditLog() {
        for (String path : List.of("/admin/api/audit", "/admin/api/audit?q=secret", "/admin/api/audit/req_0123456789",
                "/admin/api/audit/export?format=jsonl")) {
            assertThat(get(path, DEMO_KEY).statusCode()).as(path).isEqualTo(403);
        }
    }
}
