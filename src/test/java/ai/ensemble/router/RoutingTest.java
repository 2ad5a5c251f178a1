package ai.ensemble.router;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import com.github.tomakehurst.wiremock.client.WireMock;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The router end to end: real embeddings, real classifier, real tokens, the real audit chain. */
class RoutingTest extends RouterTestSupport {

    @Test
    void autoRequestsGoToTheExpertWhoseExamplesMatchAndTheDecisionIsAudited() {
        echoExpert("rt-code", CODE);
        echoExpert("rt-cooking", COOKING);

        JsonNode code = route(DEMO_KEY, question("My Java program throws an ArrayIndexOutOfBoundsException in the loop"));
        JsonNode cooking = route(DEMO_KEY, question("How long do I boil an egg for a runny yolk?"));

        assertThat(code.get("expert").asString()).isEqualTo("rt-code");
        assertThat(code.get("fallback").asBoolean()).isFalse();
        assertThat(code.get("confidence").asDouble()).isEqualTo(code.at("/scores/rt-code").asDouble())
                .isGreaterThan(code.at("/scores/rt-cooking").asDouble());
        double total = 0;
        for (JsonNode score : code.get("scores")) {
            total += score.asDouble();
        }
        assertThat(total).isCloseTo(1.0, within(0.001));
        assertThat(cooking.get("expert").asString()).isEqualTo("rt-cooking");

        HttpResponse<String> chat = post("/v1/chat/completions", DEMO_KEY,
                question("Why does my Python script say IndentationError: unexpected indent?"));
        assertThat(chat.statusCode()).as(chat.body()).isEqualTo(200);
        assertThat(chat.headers().firstValue("X-Ensemble-Expert")).hasValue("rt-code");
        assertThat(chat.headers().firstValue("X-Ensemble-Fallback")).isEmpty();
        assertThat(json(chat).get("model").asString()).isEqualTo("rt-code");
        JsonNode routing = auditRouting(chat);
        assertThat(routing.get("mode").asString()).isEqualTo("auto");
        assertThat(routing.get("expert").asString()).isEqualTo("rt-code");
        assertThat(routing.get("fallback").asBoolean()).isFalse();
        assertThat(routing.at("/scores/rt-code").asDouble()).isEqualTo(routing.get("confidence").asDouble());
        assertThat(chat.headers().firstValue("X-Ensemble-Route-Confidence").map(Double::parseDouble).orElseThrow())
                .isCloseTo(routing.get("confidence").asDouble(), within(0.0001));
        JsonNode shadow = routing.get("shadow");
        String shadowChoice = routing.get("confidence").asDouble() < 0.99 ? ECHO_EXPERT : "rt-code";
        assertThat(shadow.get("threshold").asDouble()).isEqualTo(0.99);
        assertThat(shadow.get("expert").asString()).isEqualTo(shadowChoice);
        assertThat(shadow.get("agrees").asBoolean()).isEqualTo(shadowChoice.equals("rt-code"));
        String requestId = chat.headers().firstValue("X-Request-Id").orElseThrow();
        assertThat(jdbc.sql("select expert from audit_event where request_id = ? and kind = 'response'").param(requestId)
                .query(String.class).single()).isEqualTo("rt-code");

        HttpResponse<String> verified = get("/admin/api/audit/verify", devToken("demo-auditor"));
        assertThat(json(verified).get("valid").asBoolean()).as(verified.body()).isTrue();
    }

    /**
     * Found by ChatApiPropertyTest (shrunk counterexamples): a prompt of whitespace, control or
     * zero-width characters alone reached the embedding model, which refuses it, and the client got a 500.
     */
    @Test
    void aBlankPromptGoesToTheFallbackExpert() {
        HttpResponse<String> chat = post("/v1/chat/completions", DEMO_KEY,
                "{\"\":\"\",\"messages\":[{\"role\":\"tool\",\"content\":\"\\n\"}]}");
        assertThat(chat.statusCode()).as(chat.body()).isEqualTo(200);
        assertThat(json(chat).get("model").asString()).isEqualTo(ECHO_EXPERT);
        JsonNode routing = auditRouting(chat);
        assertThat(routing.get("fallback").asBoolean()).isTrue();
        assertThat(routing.get("fallback_reason").asString()).isEqualTo("blank_prompt");

        for (String nothingToEmbed : List.of("\\u0000\\t", "\\u200d\\ufeff")) { // control and zero-width characters
            HttpResponse<String> answered = post("/v1/chat/completions", DEMO_KEY,
                    "{\"messages\":[{\"role\":\"system\",\"content\":\"" + nothingToEmbed + "\"}]}");
            assertThat(answered.statusCode()).as(answered.body()).isEqualTo(200);
            assertThat(auditRouting(answered).get("fallback_reason").asString()).isEqualTo("blank_prompt");
        }
    }

    @Test
    void modelAutoRoutesAndAnExplicitModelIsHonoured() {
        echoExpert("rt-code", CODE);
        echoExpert("rt-cooking", COOKING);
        String codeQuestion = "How do I fix a segmentation fault in my C program?";

        HttpResponse<String> auto = post("/v1/chat/completions", DEMO_KEY, """
                {"model":"auto","messages":[{"role":"user","content":"%s"}]}""".formatted(codeQuestion));
        HttpResponse<String> explicit = post("/v1/chat/completions", DEMO_KEY, chatBody("rt-cooking", codeQuestion));

        assertThat(auto.headers().firstValue("X-Ensemble-Expert")).hasValue("rt-code");
        assertThat(explicit.statusCode()).isEqualTo(200);
        assertThat(explicit.headers().firstValue("X-Ensemble-Expert")).hasValue("rt-cooking");
        assertThat(explicit.headers().firstValue("X-Ensemble-Route-Confidence")).isEmpty();
        assertThat(auditRouting(explicit).get("mode").asString()).isEqualTo("explicit");
    }

    @Test
    void anExpertRestrictedToOtherRolesIsNeverChosenNorNamedAndIsForbiddenWhenAskedFor() {
        echoExpert("rt-cooking", COOKING);
        createExpert("""
                {"id":"rt-admin-code","type":"echo","allowedRoles":["admin"],"examples":%s}""".formatted(JSON.writeValueAsString(CODE)));
        String codeQuestion = question("How do I reverse a string in Python?");

        JsonNode asUser = route(DEMO_KEY, codeQuestion);
        JsonNode asAdmin = route(admin(), codeQuestion);
        HttpResponse<String> explicit = post("/v1/chat/completions", DEMO_KEY, chatBody("rt-admin-code", "hello"));

        assertThat(asUser.get("expert").asString()).isNotEqualTo("rt-admin-code");
        assertThat(asUser.get("scores").has("rt-admin-code")).isFalse();
        assertThat(asAdmin.get("expert").asString()).isEqualTo("rt-admin-code");
        assertThat(explicit.statusCode()).isEqualTo(403);
        assertThat(json(get("/v1/models", DEMO_KEY)).findValuesAsString("id")).doesNotContain("rt-admin-code");
    }

    @Test
    void belowTheConfidenceThresholdTheFallbackExpertAnswers() {
        // Three experts trained on the same examples cannot be told apart: each gets a third.
        for (String id : List.of("rt-twin-a", "rt-twin-b", "rt-twin-c")) {
            echoExpert(id, CODE);
        }
        String admin = admin();
        assertThat(post("/admin/api/roles", admin, """
                {"name":"rt-twins","permissions":["chat","expert:rt-twin-a","expert:rt-twin-b","expert:rt-twin-c","expert:%s"]}"""
                .formatted(ECHO_EXPERT)).statusCode()).isEqualTo(201);
        post("/admin/api/group-mappings", admin, """
                {"group":"rt-twins-group","role":"rt-twins"}""");
        try {
            String caller = ISSUER.token().subject("twin-user").groups("rt-twins-group").sign();

            JsonNode decision = route(caller, question("How do I reverse a linked list in Java?"));
            HttpResponse<String> chat = post("/v1/chat/completions", caller, question("How do I reverse a linked list in Java?"));

            assertThat(decision.get("expert").asString()).isEqualTo(ECHO_EXPERT);
            assertThat(decision.get("fallback").asBoolean()).isTrue();
            assertThat(decision.get("fallbackReason").asString()).isEqualTo("low_confidence");
            assertThat(decision.get("predicted").asString()).startsWith("rt-twin-");
            assertThat(decision.get("confidence").asDouble()).isCloseTo(1 / 3.0, within(0.01))
                    .isLessThan(decision.get("threshold").asDouble());
            assertThat(decision.get("scores").propertyNames()).containsExactlyInAnyOrder("rt-twin-a", "rt-twin-b", "rt-twin-c");
            assertThat(chat.statusCode()).as(chat.body()).isEqualTo(200);
            assertThat(chat.headers().firstValue("X-Ensemble-Expert")).hasValue(ECHO_EXPERT);
            assertThat(chat.headers().firstValue("X-Ensemble-Fallback")).hasValue("low_confidence");
            assertThat(auditRouting(chat).get("fallback_reason").asString()).isEqualTo("low_confidence");
        } finally {
            delete("/admin/api/group-mappings?group=rt-twins-group&role=rt-twins", admin);
            delete("/admin/api/roles/rt-twins", admin);
        }
    }

    @Test
    void anUnhealthyExpertIsSkippedForTheNextBestAndTheFallbackIsVisible() {
        UPSTREAM.stubFor(WireMock.get("/rt-down/v1/models").willReturn(WireMock.aResponse().withStatus(503)));
        createExpert("""
                {"id":"rt-down","type":"upstream","baseUrl":"%s/rt-down/v1","model":"m","maxRetries":0,"examples":%s}"""
                .formatted(UPSTREAM.baseUrl(), JSON.writeValueAsString(CODE)));
        echoExpert("rt-cooking", COOKING);
        String codeQuestion = question("Why does my Rust code not compile: borrowed value does not live long enough");
        assertThat(route(DEMO_KEY, codeQuestion).get("expert").asString()).isEqualTo("rt-down");

        HttpResponse<String> probe = post("/admin/api/experts/rt-down/probe", admin(), "");
        assertThat(json(probe).get("healthy").asBoolean()).as(probe.body()).isFalse();
        assertThat(json(get("/admin/api/experts/rt-down", admin())).at("/health/state").asString()).isEqualTo("open");

        JsonNode decision = route(DEMO_KEY, codeQuestion);
        HttpResponse<String> chat = post("/v1/chat/completions", DEMO_KEY, codeQuestion);

        assertThat(decision.get("predicted").asString()).isEqualTo("rt-down");
        assertThat(decision.get("expert").asString()).isNotEqualTo("rt-down");
        assertThat(decision.get("fallbackReason").asString()).isEqualTo("unhealthy");
        assertThat(decision.get("skipped")).extracting(JsonNode::asString).containsExactly("rt-down");
        assertThat(chat.statusCode()).as(chat.body()).isEqualTo(200);
        assertThat(chat.headers().firstValue("X-Ensemble-Expert")).hasValue(decision.get("expert").asString());
        assertThat(chat.headers().firstValue("X-Ensemble-Fallback")).hasValue("unhealthy");
        JsonNode routing = auditRouting(chat);
        assertThat(routing.get("predicted").asString()).isEqualTo("rt-down");
        assertThat(routing.get("skipped")).extracting(JsonNode::asString).containsExactly("rt-down");

        UPSTREAM.stubFor(WireMock.get("/rt-down/v1/models").willReturn(WireMock.okJson("{\"object\":\"list\",\"data\":[]}")));
        assertThat(json(post("/admin/api/experts/rt-down/probe", admin(), "")).get("state").asString()).isEqualTo("closed");
        assertThat(route(DEMO_KEY, codeQuestion).get("expert").asString()).isEqualTo("rt-down");
    }

    @Test
    void anExpertFailingBeforeItsFirstTokenIsRetriedOnTheNextBest() {
        UPSTREAM.stubFor(WireMock.post("/rt-failing/v1/chat/completions").willReturn(WireMock.aResponse().withStatus(500)
                .withHeader("Content-Type", "application/json").withBody("""
                        {"error":{"message":"model crashed","type":"server_error"}}""")));
        createExpert("""
                {"id":"rt-failing","type":"upstream","baseUrl":"%s/rt-failing/v1","model":"m","maxRetries":0,"examples":%s}"""
                .formatted(UPSTREAM.baseUrl(), JSON.writeValueAsString(CODE)));
        echoExpert("rt-cooking", COOKING);

        List<HttpResponse<String>> answers = new ArrayList<>();
        for (boolean stream : new boolean[] {false, true}) {
            answers.add(post("/v1/chat/completions", DEMO_KEY, """
                    {"stream":%s,"messages":[{"role":"user","content":"My Kotlin coroutine is never cancelled, why?"}]}"""
                    .formatted(stream)));
        }

        for (HttpResponse<String> answer : answers) {
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
            assertThat(answer.headers().firstValue("X-Ensemble-Expert")).isPresent().get().isNotEqualTo("rt-failing");
            assertThat(answer.headers().firstValue("X-Ensemble-Fallback")).hasValue("expert_failed");
            JsonNode routing = auditRouting(answer);
            assertThat(routing.get("predicted").asString()).isEqualTo("rt-failing");
            assertThat(routing.get("skipped").get(0).asString()).isEqualTo("rt-failing");
        }
        assertThat(answers.get(1).body()).contains("data: [DONE]");

        // The third failure in a row opens the circuit: from then on the router skips the expert up front.
        post("/v1/chat/completions", DEMO_KEY, question("My Kotlin coroutine is never cancelled, why?"));
        assertThat(json(get("/admin/api/experts/rt-failing", admin())).at("/health/state").asString()).isEqualTo("open");
        JsonNode decision = route(DEMO_KEY, question("My Kotlin coroutine is never cancelled, why?"));
        assertThat(decision.get("fallbackReason").asString()).isEqualTo("unhealthy");
        assertThat(decision.get("skipped")).extracting(JsonNode::asString).containsExactly("rt-failing");
    }

    @Test
    void confidentialDataStaysWithOnPremisesExperts() {
        createExpert("""
                {"id":"rt-cloud","type":"upstream","baseUrl":"https://cloud.example/v1","model":"m","examples":%s}"""
                .formatted(JSON.writeValueAsString(CODE)));
        echoExpert("rt-cooking", COOKING);
        String codeQuestion = question("How do I parse JSON in TypeScript?");

        HttpResponse<String> confidential = send(java.net.http.HttpRequest.newBuilder(uri("/api/route"))
                .header("Authorization", "Bearer " + DEMO_KEY).header("Content-Type", "application/json")
                .header("X-Ensemble-Data-Classification", "confidential")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(codeQuestion)));
        HttpResponse<String> explicit = send(java.net.http.HttpRequest.newBuilder(uri("/v1/chat/completions"))
                .header("Authorization", "Bearer " + DEMO_KEY).header("Content-Type", "application/json")
                .header("X-Ensemble-Data-Classification", "confidential")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(chatBody("rt-cloud", "secret plans"))));
        HttpResponse<String> unknown = send(java.net.http.HttpRequest.newBuilder(uri("/api/route"))
                .header("Authorization", "Bearer " + DEMO_KEY).header("Content-Type", "application/json")
                .header("X-Ensemble-Data-Classification", "top-secret")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(codeQuestion)));

        assertThat(route(DEMO_KEY, codeQuestion).get("expert").asString()).isEqualTo("rt-cloud");
        assertThat(confidential.statusCode()).isEqualTo(200);
        assertThat(json(confidential).get("expert").asString()).isNotEqualTo("rt-cloud");
        assertThat(json(confidential).get("scores").has("rt-cloud")).isFalse();
        assertThat(explicit.statusCode()).isEqualTo(403);
        assertThat(json(explicit).at("/error/message").asString()).contains("confidential");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(json(unknown).at("/error/param").asString()).isEqualTo("X-Ensemble-Data-Classification");
    }

    @Test
    void onlyExpertsThatStreamAndWhoseContextHoldsThePromptAreChosen() {
        createExpert("""
                {"id":"rt-batch-code","type":"echo","streaming":false,"examples":%s}""".formatted(JSON.writeValueAsString(CODE)));
        createExpert("""
                {"id":"rt-tiny-code","type":"echo","contextLength":32,"examples":%s}""".formatted(JSON.writeValueAsString(CODE)));
        echoExpert("rt-cooking", COOKING);
        String shortQuestion = "How do I sort a map by value in Java?";
        String longQuestion = shortQuestion + " My map holds thousands of entries read from a CSV file, and I need the ten "
                + "largest values with their keys, in descending order, without copying the whole map if I can avoid it.";

        JsonNode batch = route(DEMO_KEY, question(shortQuestion));
        JsonNode streamed = route(DEMO_KEY, """
                {"stream":true,"messages":[{"role":"user","content":"%s"}]}""".formatted(shortQuestion));
        JsonNode longOne = route(DEMO_KEY, question(longQuestion));
        HttpResponse<String> explicitStream = post("/v1/chat/completions", DEMO_KEY, """
                {"model":"rt-batch-code","stream":true,"messages":[{"role":"user","content":"hi"}]}""");

        assertThat(batch.get("scores").has("rt-batch-code")).isTrue();
        assertThat(streamed.get("scores").has("rt-batch-code")).isFalse();
        assertThat(streamed.get("expert").asString()).isNotEqualTo("rt-batch-code");
        assertThat(batch.get("scores").has("rt-tiny-code")).isTrue();
        assertThat(longOne.get("scores").has("rt-tiny-code")).isFalse();
        assertThat(explicitStream.statusCode()).isEqualTo(400);
        assertThat(json(explicitStream).at("/error/param").asString()).isEqualTo("stream");
    }

    @Test
    void configuredExamplesAreSeededWithTheirEmbeddings() {
        List<Integer> dimensions = jdbc.sql("select array_length(embedding, 1) from routing_example where expert_id = ?")
                .param(SECOND_ECHO_EXPERT).query(Integer.class).list();

        assertThat(dimensions).hasSize(ASTRONOMY_EXAMPLES.length).containsOnly(384);
        assertThat(route(DEMO_KEY, question("How many moons does Jupiter have?")).get("expert").asString())
                .isEqualTo(SECOND_ECHO_EXPERT);
        assertThat(json(get("/admin/api/experts/" + SECOND_ECHO_EXPERT, admin())).get("source").asString()).isEqualTo("config");
        JsonNode status = json(get("/admin/api/router", admin()));
        assertThat(status.get("trainedExperts")).extracting(JsonNode::asString).contains(SECOND_ECHO_EXPERT);
        assertThat(status.at("/examples/" + SECOND_ECHO_EXPERT).asInt()).isEqualTo(ASTRONOMY_EXAMPLES.length);
        assertThat(status.get("fallbackExpert").asString()).isEqualTo(ECHO_EXPERT);
        assertThat(get("/admin/api/router", DEMO_KEY).statusCode()).isEqualTo(403);
    }

    @Test
    void theClassifierIsTrainedFromTheStoredEmbeddingsNotByEmbeddingAgain() {
        echoExpert("rt-code", CODE);
        echoExpert("rt-cooking", COOKING);
        String cookingQuestion = question("How do I poach an egg?");
        assertThat(route(DEMO_KEY, cookingQuestion).get("expert").asString()).isEqualTo("rt-cooking");

        // Behind the gateway's back, the two experts' stored vectors are swapped (their texts stay).
        int swapped = superuser().sql("""
                with a as (select id, embedding, row_number() over (order by id) as n from routing_example where expert_id = 'rt-code'),
                     b as (select id, embedding, row_number() over (order by id) as n from routing_example where expert_id = 'rt-cooking')
                update routing_example r set embedding = case when r.id = a.id then b.embedding else a.embedding end
                from a join b using (n) where r.id in (a.id, b.id)""").update();
        assertThat(swapped).isEqualTo(2 * CODE.length);
        // Any change of examples retrains, from what is stored.
        echoExpert("rt-other", "Which football team won the league last season?");

        assertThat(route(DEMO_KEY, cookingQuestion).get("expert").asString()).isEqualTo("rt-code");
    }

    @Test
    void routeNeedsTheChatPermission() {
        String auditor = devToken("demo-auditor");

        assertThat(post("/api/route", auditor, question("hello")).statusCode()).isEqualTo(403);
        assertThat(post("/api/route", null, question("hello")).statusCode()).isEqualTo(401);
    }
}
