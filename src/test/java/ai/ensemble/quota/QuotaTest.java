package ai.ensemble.quota;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import ai.ensemble.security.Caller;
import ai.ensemble.security.CallerType;
import ai.ensemble.shared.ApiException;
import ai.ensemble.support.GatewayTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Quotas on the real embedded Postgres: the admin API's rules, and budgets under concurrency. */
class QuotaTest extends GatewayTest {

    @Autowired
    QuotaService quotas;

    private String createRole(String admin, String name) {
        HttpResponse<String> role = post("/admin/api/roles", admin, """
                {"name":"%s","description":"quota test","permissions":["chat"]}""".formatted(name));
        assertThat(role.statusCode()).as(role.body()).isEqualTo(201);
        return name;
    }

    @Test
    void theAdminApiValidatesEveryFieldAndNamesIt() {
        String admin = devToken("demo-admin");
        String role = createRole(admin, "quota-rules");
        assertError(post("/admin/api/quotas", admin, """
                {"subjectType":"group","subject":"x","window":"day","maxTokens":10}"""), 400, "subjectType");
        assertError(post("/admin/api/quotas", admin, """
                {"subjectType":"role","subject":"no-such-role","window":"day","maxTokens":10}"""), 400, "subject");
        assertError(post("/admin/api/quotas", admin, """
                {"subjectType":"api_key","subject":"not-a-uuid","window":"day","maxTokens":10}"""), 400, "subject");
        assertError(post("/admin/api/quotas", admin, """
                {"subjectType":"role","subject":"%s","window":"week","maxTokens":10}""".formatted(role)), 400, "window");
        assertError(post("/admin/api/quotas", admin, """
                {"subjectType":"role","subject":"%s","window":"day"}""".formatted(role)), 400, "maxTokens");
        assertError(post("/admin/api/quotas", admin, """
                {"subjectType":"role","subject":"%s","window":"day","maxRequests":0}""".formatted(role)), 400, "maxRequests");
        assertThat(jdbc.sql("select count(*) from quota where subject = ?").params(role).query(Long.class).single())
                .as("nothing half-written").isZero();

        HttpResponse<String> created = post("/admin/api/quotas", admin, """
                {"subjectType":"role","subject":"%s","window":"day","maxTokens":5000,"maxRequests":100}""".formatted(role));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String id = json(created).get("id").asString();
        assertThat(json(created).get("usage").get("tokensUsed").asLong()).isZero();
        assertError(post("/admin/api/quotas", admin, """
                {"subjectType":"role","subject":"%s","window":"day","maxTokens":10}""".formatted(role)), 409, "window");
        assertError(put("/admin/api/quotas/" + id, admin, """
                {"window":"month","maxTokens":10}"""), 400, "window");
        HttpResponse<String> changed = put("/admin/api/quotas/" + id, admin, """
                {"maxTokens":7000}""");
        assertThat(changed.statusCode()).as(changed.body()).isEqualTo(200);
        assertThat(json(changed).get("maxTokens").asLong()).isEqualTo(7000);
        assertThat(json(changed).path("maxRequests").isMissingNode() || json(changed).path("maxRequests").isNull())
                .as("PUT replaces the limits: maxRequests is gone").isTrue();

        assertThat(get("/admin/api/quotas", devToken("demo-auditor")).statusCode()).as("auditors do not manage quotas").isEqualTo(403);
        assertThat(get("/admin/api/quotas", DEMO_KEY).statusCode()).isEqualTo(403);
        assertThat(delete("/admin/api/quotas/" + id, admin).statusCode()).isEqualTo(200);
        assertThat(get("/admin/api/quotas/" + id, admin).statusCode()).isEqualTo(404);
    }

    /**
     * 16 threads reserve and settle against one daily budget of 1,000 tokens shared through a role:
     * the budget is never overspent (every settlement is at most its reservation), everything reserved
     * is released, and the refusals are 429s with a Retry-After.
     */
    @Test
    void concurrentRequestsNeverOverspendABudget() throws Exception {
        String admin = devToken("demo-admin");
        String role = createRole(admin, "quota-race");
        HttpResponse<String> created = post("/admin/api/quotas", admin, """
                {"subjectType":"role","subject":"%s","window":"day","maxTokens":1000}""".formatted(role));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        UUID id = UUID.fromString(json(created).get("id").asString());
        AtomicInteger granted = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        List<String> retryAfter = java.util.Collections.synchronizedList(new ArrayList<>());
        try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
            List<Future<?>> runs = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                int thread = t;
                runs.add(pool.submit(() -> {
                    SplittableRandom random = new SplittableRandom(thread);
                    Caller caller = new Caller("racer-" + thread, CallerType.JWT, Set.of(role), Set.of("chat"), null);
                    for (int i = 0; i < 10; i++) {
                        long reserve = 20 + random.nextInt(40);
                        try {
                            QuotaService.Reservation reservation = quotas.reserve(caller, reserve);
                            granted.incrementAndGet();
                            quotas.settle(reservation, random.nextLong(reserve + 1));
                        } catch (ApiException e) {
                            assertThat(e.error().status().value()).isEqualTo(429);
                            assertThat(e.error().code()).isEqualTo("quota_exceeded");
                            retryAfter.add(e.headers().get("Retry-After"));
                            refused.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> run : runs) {
                run.get();
            }
        }
        JsonNode usage = json(get("/admin/api/quotas/" + id, admin)).get("usage");
        assertThat(usage.get("tokensReserved").asLong()).as("all reservations released").isZero();
        assertThat(usage.get("tokensUsed").asLong()).as("never over budget").isLessThanOrEqualTo(1000).isPositive();
        assertThat(usage.get("requests").asInt()).isEqualTo(granted.get());
        assertThat(refused.get()).as("160 requests of ~40 tokens cannot all fit 1,000").isPositive();
        assertThat(granted.get() + refused.get()).isEqualTo(160);
        assertThat(retryAfter).allSatisfy(value -> assertThat(Long.parseLong(value)).isBetween(1L, 86_401L));
        assertThat(jdbc.sql("select count(*) from quota_usage where quota_id = ?").params(id).query(Long.class).single()).isEqualTo(1);
    }

    @Test
    void aRequestRateLimitCountsRequestsAndAnOversizedRequestIsA400() {
        String admin = devToken("demo-admin");
        String role = createRole(admin, "quota-rate");
        assertThat(post("/admin/api/quotas", admin, """
                {"subjectType":"role","subject":"%s","window":"minute","maxRequests":3}""".formatted(role)).statusCode()).isEqualTo(201);
        assertThat(post("/admin/api/quotas", admin, """
                {"subjectType":"user","subject":"big-spender","window":"month","maxTokens":500}""").statusCode()).isEqualTo(201);
        Caller caller = new Caller("rate-user", CallerType.JWT, Set.of(role), Set.of("chat"), null);
        for (int i = 0; i < 3; i++) {
            quotas.settle(quotas.reserve(caller, 1_000_000), 10); // no token budget: any size passes
        }
        assertThatThrownBy(() -> quotas.reserve(caller, 1)).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.error().status().value()).isEqualTo(429);
            assertThat(e.getMessage()).contains("per-minute request limit of 3").contains("role '" + role + "'");
            assertThat(Long.parseLong(e.headers().get("Retry-After"))).isBetween(1L, 61L);
        });
        Caller spender = new Caller("big-spender", CallerType.JWT, Set.of(), Set.of("chat"), null);
        assertThatThrownBy(() -> quotas.reserve(spender, 501)).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.error().status().value()).isEqualTo(400);
            assertThat(e.error().param()).isEqualTo("max_tokens");
        });
        quotas.settle(quotas.reserve(spender, 500), 500);
        assertThatThrownBy(() -> quotas.reserve(spender, 1)).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.error().status().value()).isEqualTo(429));
    }

    private static void assertError(HttpResponse<String> response, int status, String param) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(json(response).get("error").get("param").asString()).isEqualTo(param);
    }
}
