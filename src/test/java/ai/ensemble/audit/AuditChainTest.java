package ai.ensemble.audit;

import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import ai.ensemble.support.GatewayTest;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The audit log is gap-free, hash-chained, append-only, and verification finds tampering. */
class AuditChainTest extends GatewayTest {

    @Autowired
    private EmbeddedPostgres postgres;

    private JsonNode verify() {
        HttpResponse<String> response = get("/admin/api/audit/verify", devToken("demo-auditor"));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json(response);
    }

    private String chat(String text) {
        HttpResponse<String> response = post("/v1/chat/completions", DEMO_KEY, chatBody(ECHO_EXPERT, text));
        assertThat(response.statusCode()).isEqualTo(200);
        return response.headers().firstValue("X-Request-Id").orElseThrow();
    }

    private long responseSeq(String requestId) {
        return jdbc.sql("select seq from audit_event where request_id = ? and kind = 'response'").param(requestId)
                .query(Long.class).single();
    }

    /** Runs statements as the superuser with triggers off, as an intruder with database access would. */
    private void behindTheApplicationsBack(String... statements) throws Exception {
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
             Statement statement = connection.createStatement()) {
            statement.execute("set session_replication_role = replica");
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }

    @Test
    void concurrentRequestsGetGapFreeSequenceAndTheChainVerifies() throws Exception {
        long before = jdbc.sql("select coalesce(max(seq), 0) from audit_event").query(Long.class).single();
        List<Callable<String>> calls = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            int n = i;
            calls.add(() -> chat("concurrent request " + n));
        }
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Future<String> call : pool.invokeAll(calls)) {
                call.get();
            }
        }

        List<Long> seqs = jdbc.sql("select seq from audit_event where seq > ? order by seq").param(before).query(Long.class).list();
        assertThat(seqs).hasSizeGreaterThanOrEqualTo(128);
        for (int i = 0; i < seqs.size(); i++) {
            assertThat(seqs.get(i)).isEqualTo(before + 1 + i);
        }
        JsonNode result = verify();
        assertThat(result.get("valid").asBoolean()).as(result.toString()).isTrue();
        assertThat(result.get("checked").asLong()).isGreaterThanOrEqualTo(128);
    }

    @Test
    void verificationReportsExactlyTheEditedRecord() throws Exception {
        String requestId = chat("the original answer");
        long seq = responseSeq(requestId);
        behindTheApplicationsBack("update audit_event set record = replace(record, 'original', 'doctored') where seq = " + seq);
        try {
            JsonNode result = verify();

            assertThat(result.get("valid").asBoolean()).isFalse();
            assertThat(result.get("firstBrokenSeq").asLong()).isEqualTo(seq);
            assertThat(result.get("reason").asString()).contains("does not match its record");
        } finally {
            behindTheApplicationsBack("update audit_event set record = replace(record, 'doctored', 'original') where seq = " + seq);
        }
        assertThat(verify().get("valid").asBoolean()).isTrue();
    }

    @Test
    void verificationReportsAnIndexedColumnThatNoLongerMatchesTheRecord() throws Exception {
        long seq = responseSeq(chat("whose request"));
        String subject = jdbc.sql("select subject from audit_event where seq = ?").param(seq).query(String.class).single();
        behindTheApplicationsBack("update audit_event set subject = 'someone-else' where seq = " + seq);
        try {
            JsonNode result = verify();

            assertThat(result.get("firstBrokenSeq").asLong()).isEqualTo(seq);
            assertThat(result.get("reason").asString()).contains("'subject'");
        } finally {
            behindTheApplicationsBack("update audit_event set subject = '" + subject + "' where seq = " + seq);
        }
    }

    @Test
    void verificationReportsADeletedRecordAsAGap() throws Exception {
        long seq = responseSeq(chat("soon deleted"));
        chat("after the deleted one");
        List<String> saved = new ArrayList<>();
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
             Statement statement = connection.createStatement()) {
            statement.execute("create temporary table saved as select * from audit_event where seq = " + seq);
            statement.execute("set session_replication_role = replica");
            statement.execute("delete from audit_event where seq = " + seq);
            try {
                JsonNode result = verify();
                saved.add(result.toString());
                assertThat(result.get("firstBrokenSeq").asLong()).isEqualTo(seq);
                assertThat(result.get("reason").asString()).contains("gap");
            } finally {
                statement.execute("insert into audit_event (seq, recorded_at, request_id, kind, subject, caller_type, roles, "
                        + "api_key_id, client_app, model, expert, status, guardrail_action, text_content, record, prev_hash, hash) "
                        + "select seq, recorded_at, request_id, kind, subject, caller_type, roles, api_key_id, client_app, model, "
                        + "expert, status, guardrail_action, text_content, record, prev_hash, hash from saved");
            }
        }
        assertThat(saved).hasSize(1);
        assertThat(verify().get("valid").asBoolean()).isTrue();
    }

    @Test
    void applicationRoleCannotChangeOrDeleteHistory() {
        chat("immutable");

        assertThatThrownBy(() -> jdbc.sql("update audit_event set subject = 'x'").update()).rootCause().hasMessageContaining("permission denied");
        assertThatThrownBy(() -> jdbc.sql("delete from audit_event").update()).rootCause().hasMessageContaining("permission denied");
        assertThatThrownBy(() -> superuser().sql("update audit_event set subject = 'x'").update()).rootCause().hasMessageContaining("append-only");
        assertThatThrownBy(() -> superuser().sql("delete from audit_event").update()).rootCause().hasMessageContaining("append-only");
        assertThatThrownBy(() -> superuser().sql("truncate audit_event").update()).rootCause().hasMessageContaining("append-only");
    }

    @Test
    void verifyNeedsAuditReadPermission() {
        assertThat(get("/admin/api/audit/verify", DEMO_KEY).statusCode()).isEqualTo(403);
    }
}
