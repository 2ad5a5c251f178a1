package ai.ensemble.audit.internal;

import java.util.ArrayList;
import java.util.List;

import ai.ensemble.support.GatewayTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A role filter reads the newest events in order and then, when they do not fill the page, the
 * older ones through the roles index: with a window of a few events the index step is exercised,
 * and the pages must be exactly those of a single ordered scan.
 */
class RoleSearchTest extends GatewayTest {

    private List<Long> allPages(AuditSearch search, AuditFilter filter, int limit) {
        List<Long> seqs = new ArrayList<>();
        Long cursor = null;
        do {
            AuditSearch.Page page = search.search(filter, cursor, limit);
            page.data().forEach(summary -> seqs.add(summary.seq()));
            cursor = page.nextCursor();
        } while (cursor != null);
        return seqs;
    }

    @Test
    void indexStepReturnsTheSamePagesAsAnOrderedScan() {
        String admin = devToken("demo-admin");
        for (int i = 0; i < 6; i++) {
            post("/v1/chat/completions", admin, chatBody(ECHO_EXPERT, "admin request " + i));
            post("/v1/chat/completions", DEMO_KEY, chatBody(ECHO_EXPERT, "user request " + i));
        }
        AuditFilter admins = new AuditFilter(null, null, null, "admin", null, null, null, null, null, null, null);

        List<Long> ordered = allPages(new AuditSearch(jdbc, Long.MAX_VALUE / 4), admins, 3);
        List<Long> twoStep = allPages(new AuditSearch(jdbc, 4), admins, 3);

        assertThat(ordered).hasSizeGreaterThanOrEqualTo(12).isSortedAccordingTo((a, b) -> Long.compare(b, a));
        assertThat(twoStep).isEqualTo(ordered);
        assertThat(allPages(new AuditSearch(jdbc, 4),
                new AuditFilter(null, null, null, "no-such-role", null, null, null, null, null, null, null), 3)).isEmpty();
    }
}
