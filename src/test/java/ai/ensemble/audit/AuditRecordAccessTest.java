package ai.ensemble.audit;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/** Reading a request's prompt and output is itself audited, and fails closed when it cannot be. */
class AuditRecordAccessTest extends AuditApiTest {

    private List<JsonNode> accessRecords(String requestId) {
        return jdbc.sql("select record from audit_event where request_id = ? and kind = 'access' order by seq")
                .param(requestId).query(String.class).list().stream().map(JSON::readTree).toList();
    }

    @Test
    void viewingARequestShowsPromptAndOutputAndRecordsTheViewer() {
        String word = unique("private");
        String requestId = chat(ECHO_EXPERT, "remember " + word);
        List<Long> seqs = seqsInDatabase(requestId);

        JsonNode view = ok(audit("/" + requestId));

        assertThat(view.get("requestId").asString()).isEqualTo(requestId);
        JsonNode events = view.get("events");
        assertThat(events).hasSize(2);
        JsonNode request = events.get(0);
        JsonNode response = events.get(1);
        assertThat(request.get("kind").asString()).isEqualTo("request");
        assertThat(request.at("/record/body/messages/1/content").asString()).isEqualTo("remember " + word);
        assertThat(request.at("/record/body/model").asString()).isEqualTo(ECHO_EXPERT);
        assertThat(response.get("kind").asString()).isEqualTo("response");
        assertThat(response.at("/record/body/output").asString()).isEqualTo("remember " + word);
        assertThat(response.at("/record/status").asInt()).isEqualTo(200);
        assertThat(response.at("/record/body/completion_tokens").asInt()).isEqualTo(2);
        assertThat(List.of(request.get("seq").asLong(), response.get("seq").asLong())).isEqualTo(seqs);
        for (JsonNode event : events) {
            String stored = jdbc.sql("select encode(hash, 'hex') from audit_event where seq = ?")
                    .param(event.get("seq").asLong()).query(String.class).single();
            assertThat(event.get("hash").asString()).isEqualTo(stored).hasSize(64);
            assertThat(event.get("prevHash").asString()).hasSize(64);
            assertThat(event.at("/record/seq").asLong()).isEqualTo(event.get("seq").asLong());
        }

        List<JsonNode> access = accessRecords(requestId);
        assertThat(access).singleElement().satisfies(record -> {
            assertThat(record.get("subject").asString()).isEqualTo(auditorSubject());
            assertThat(record.get("caller_type").asString()).isEqualTo("jwt");
            assertThat(record.get("roles").toString()).contains("auditor");
            assertThat(record.get("endpoint").asString()).isEqualTo("/admin/api/audit/{id}");
            assertThat(record.at("/body/viewed_request_id").asString()).isEqualTo(requestId);
            List<Long> viewed = new ArrayList<>();
            record.at("/body/viewed_seqs").forEach(seq -> viewed.add(seq.asLong()));
            assertThat(viewed).isEqualTo(seqs);
        });
    }

    @Test
    void searchingIsNotAnAccessButEveryViewIs() {
        String requestId = chat(ECHO_EXPERT, "counted views");

        ok(audit("?requestId=" + requestId));
        assertThat(accessRecords(requestId)).isEmpty();
        ok(audit("/" + requestId));
        ok(audit("/" + requestId));
        assertThat(accessRecords(requestId)).hasSize(2);
    }

    @Test
    void anUnknownRequestIsNotFoundAndLeavesNoAccessEvent() {
        String requestId = unique("req_missing");

        HttpResponse<String> response = audit("/" + requestId);

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(json(response).at("/error/param").asString()).isEqualTo("requestId");
        assertThat(accessRecords(requestId)).isEmpty();
    }

    @Test
    void recordsAreNotShownWhenTheAccessCannotBeRecorded() {
        String word = unique("withheld");
        String requestId = chat(ECHO_EXPERT, "keep " + word);
        String token = auditor();
        superuser().sql("revoke insert on audit_event from ensemble_app").update();
        HttpResponse<String> refused;
        try {
            refused = get("/admin/api/audit/" + requestId, token);
        } finally {
            superuser().sql("grant insert on audit_event to ensemble_app").update();
        }

        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(json(refused).at("/error/code").asString()).isEqualTo("audit_unavailable");
        assertThat(refused.body()).doesNotContain(word);
        assertThat(accessRecords(requestId)).isEmpty();
        assertThat(ok(audit("/" + requestId)).toString()).contains(word);
    }
}
