package ai.ensemble.expert.internal;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import ai.ensemble.engine.LocalModel;
import ai.ensemble.expert.ExpertRegistry;
import ai.ensemble.support.GatewayTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A flood at the CPU engine gets a clear refusal: with one generation running and the wait queue
 * full (ensemble.engine.max-waiting, 16 by default), a chat request is answered 429 in OpenAI's
 * error shape ({@code rate_limit_error}, {@code engine_busy}) with a Retry-After header, as JSON and
 * as a stream that had not started, and audited; once the queue drains the engine answers again.
 * The engine expert of the shared context is filled from behind the gateway, so the context is not changed.
 */
class EngineBusyTest extends GatewayTest {

    private static final List<LocalModel.Turn> TURNS = List.of(new LocalModel.Turn("user", "Hi"));
    private static final LocalModel.Settings ONE_TOKEN = new LocalModel.Settings(1, 0f, null, null, null, null, null);

    @Autowired
    private ExpertRegistry experts;

    private static String request(boolean stream) {
        return """
                {"model":"%s","stream":%s,"max_tokens":4,"temperature":0,"messages":[{"role":"user","content":"Hello"}]}"""
                .formatted(ENGINE_EXPERT, stream);
    }

    @Test
    void aFullEngineQueueIsA429WithRetryAfterForJsonAndStreams() throws Exception {
        LocalModel model = ((EngineExpert) experts.find(ENGINE_EXPERT).orElseThrow()).model();
        assertThat(model.batching()).isFalse(); // CPU here
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        try {
            threads.add(Thread.ofPlatform().daemon().start(() -> generate(model, () -> {
                holding.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return true;
            })));
            assertThat(holding.await(30, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < model.maxWaiting(); i++) {
                threads.add(Thread.ofPlatform().daemon().start(() -> generate(model, () -> false)));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (model.waitingGenerations() < model.maxWaiting() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(model.waitingGenerations()).isEqualTo(model.maxWaiting());

            for (boolean stream : new boolean[] {false, true}) {
                HttpResponse<String> response = post("/v1/chat/completions", DEMO_KEY, request(stream));

                assertThat(response.statusCode()).as(response.body()).isEqualTo(429);
                assertThat(response.headers().firstValue("Retry-After")).hasValueSatisfying(
                        seconds -> assertThat(Integer.parseInt(seconds)).isBetween(1, 60));
                assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                        type -> assertThat(type).startsWith("application/json"));
                JsonNode error = json(response).get("error");
                assertThat(error.get("type").asString()).isEqualTo("rate_limit_error");
                assertThat(error.get("code").asString()).isEqualTo("engine_busy");
                assertThat(error.get("message").asString()).contains(ENGINE_EXPERT).contains("busy");
                assertThat(error.get("param") == null || error.get("param").isNull()).isTrue();
                String requestId = response.headers().firstValue("X-Request-Id").orElseThrow();
                assertThat(jdbc.sql("select count(*) from audit_event where request_id = ?").param(requestId)
                        .query(Long.class).single()).isEqualTo(2);
            }
        } finally {
            release.countDown();
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(60));
            }
        }
        assertThat(model.waitingGenerations()).isZero();
        HttpResponse<String> again = post("/v1/chat/completions", DEMO_KEY, request(false));
        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
    }

    private static void generate(LocalModel model, java.util.function.BooleanSupplier cancelled) {
        try {
            model.generate(TURNS, ONE_TOKEN, text -> { }, cancelled);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
