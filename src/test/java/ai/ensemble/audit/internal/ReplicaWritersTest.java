package ai.ensemble.audit.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import javax.sql.DataSource;

import ai.ensemble.audit.AuditEvent;
import ai.ensemble.support.GatewayTest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/** Two gateway replicas (two writers on one database) still build one gap-free, valid chain. */
class ReplicaWritersTest extends GatewayTest {

    @Autowired
    private DataSource dataSource;

    @Autowired
    private ChainVerifier verifier;

    @Test
    void concurrentWritersOfTwoReplicasShareOneChain() throws Exception {
        long before = jdbc.sql("select coalesce(max(seq), 0) from audit_event").query(Long.class).single();
        List<CompletableFuture<Long>> committed = new ArrayList<>();
        try (GroupCommitWriter first = new GroupCommitWriter(dataSource, 50, 1000, new SimpleMeterRegistry());
             GroupCommitWriter second = new GroupCommitWriter(dataSource, 50, 1000, new SimpleMeterRegistry())) {
            for (int i = 0; i < 400; i++) {
                committed.add((i % 2 == 0 ? first : second).submit(event(i)));
            }
            for (CompletableFuture<Long> seq : committed) {
                seq.get();
            }
        }

        List<Long> seqs = committed.stream().map(CompletableFuture::join).sorted().toList();
        assertThat(seqs).doesNotHaveDuplicates().hasSize(400);
        List<Long> written = jdbc.sql("select seq from audit_event where seq > ? order by seq").param(before).query(Long.class).list();
        for (int i = 0; i < written.size(); i++) {
            assertThat(written.get(i)).isEqualTo(before + 1 + i);
        }
        ChainVerifier.Result result = verifier.verify(null, null);
        assertThat(result.valid()).as(result.toString()).isTrue();
    }

    private static AuditEvent event(int n) {
        return new AuditEvent(AuditEvent.Kind.REQUEST, "replica-" + n, Instant.now(), "replica-test", "jwt", Set.of("user"),
                null, null, "/v1/chat/completions", "demo-echo", null, null, null,
                Map.of("messages", List.of(Map.of("role", "user", "content", "message " + n))));
    }
}
