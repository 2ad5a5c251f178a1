package ai.ensemble.rag;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Set;

import ai.ensemble.security.Caller;
import ai.ensemble.security.CallerType;
import ai.ensemble.shared.ApiException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Retrieval sees only what the caller's roles may read: a knowledge base outside them is never
 * searched, even when named in the request or when only its text matches the query.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RetrievalAccessTest extends RagTestSupport {

    private static final String SECRET_QUERY = "zephyrine merger acquisition price";

    @Autowired
    Retrieval retrieval;

    private String financeKey;
    private String publicKey;
    private String chatterKey;

    @BeforeAll
    void knowledgeBases() {
        String admin = admin();
        createRole(admin, "rag-finance-reader", "chat", "kb:rag-finance:read");
        createRole(admin, "rag-public-reader", "chat", "kb:rag-public:read");
        createKnowledgeBase(admin, "rag-finance", "rag-finance-reader");
        createKnowledgeBase(admin, "rag-public", "rag-public-reader");
        addDocument(admin, "rag-finance", "merger-memo", "Merger memo",
                "The zephyrine merger closes on the ninth of March. The acquisition price is 412 million euros.");
        addDocument(admin, "rag-public", "cafeteria", "Cafeteria",
                "The cafeteria opens at eight in the morning and serves lentil soup on Fridays.");
        addDocument(admin, "rag-public", "parking", "Parking",
                "Visitors park in the north garage; permits are renewed every January.");
        HttpResponse<String> withDefault = post("/admin/api/kbs", admin, """
                {"id":"rag-echo-default","name":"Echo's default","readRoles":["rag-finance-reader"],"defaultExperts":["demo-echo"]}""");
        assertThat(withDefault.statusCode()).as(withDefault.body()).isEqualTo(201);
        addDocument(admin, "rag-echo-default", "echo-notes", "Echo notes",
                "The echo expert repeats what it is told, word by word.");
        financeKey = issueKey(admin, "rag-finance-reader");
        publicKey = issueKey(admin, "rag-public-reader");
        createRole(admin, "rag-public-chatter", "chat", "expert:" + ECHO_EXPERT, "kb:rag-public:read");
        chatterKey = issueKey(admin, "rag-public-chatter");
    }

    @Test
    void aReaderFindsThePassageWithItsCitation() {
        HttpResponse<String> response = retrieve(financeKey, """
                {"query":"%s","topK":3}""".formatted(SECRET_QUERY));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode first = json(response).get(0);
        assertThat(first.get("externalId").asString()).isEqualTo("merger-memo");
        assertThat(first.get("title").asString()).isEqualTo("Merger memo");
        assertThat(first.get("text").asString()).contains("412 million");
        assertThat(first.get("chunkId").asLong()).isPositive();
        assertThat(first.get("documentId").asString()).hasSize(36);
        assertThat(first.get("score").asDouble()).isPositive();
        String requestId = response.headers().firstValue("X-Request-Id").orElseThrow();
        List<String> audited = jdbc.sql("select kind || ' ' || coalesce(status, 0) || ' ' || record from audit_event where request_id = ? order by seq")
                .param(requestId).query(String.class).list();
        assertThat(audited).hasSize(2);
        assertThat(audited.get(0)).startsWith("request 0").contains(SECRET_QUERY);
        assertThat(audited.get(1)).as("the audit record lists what was retrieved").startsWith("response 200").contains("merger-memo");
    }

    @Test
    void aCallerWithoutTheRoleNeverGetsTheKnowledgeBaseEvenWhenOnlyItMatches() {
        HttpResponse<String> response = retrieve(publicKey, """
                {"query":"%s","topK":10}""".formatted(SECRET_QUERY));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).doesNotContain("zephyrine").doesNotContain("merger-memo");
        for (JsonNode passage : json(response)) {
            assertThat(passage.get("kbId").asString()).isEqualTo("rag-public");
        }
    }

    @Test
    void namingAnUnreadableKnowledgeBaseIs403NamingIt() {
        HttpResponse<String> alone = retrieve(publicKey, """
                {"query":"%s","kbs":["rag-finance"]}""".formatted(SECRET_QUERY));
        HttpResponse<String> mixed = retrieve(publicKey, """
                {"query":"%s","kbs":["rag-public","rag-finance"]}""".formatted(SECRET_QUERY));

        for (HttpResponse<String> response : List.of(alone, mixed)) {
            assertThat(response.statusCode()).as(response.body()).isEqualTo(403);
            assertThat(json(response).at("/error/message").asString()).contains("'rag-finance'").contains("kb:rag-finance:read");
            assertThat(response.body()).doesNotContain("412 million");
        }
    }

    /**
     * Found by extending ChatApiPropertyTest's counterexamples to retrieval: a query of zero-width or
     * NUL characters passed the blank check, then the embedding model refused it (and PostgreSQL
     * the NUL), answering 500; such a query now simply matches nothing.
     */
    @Test
    void aQueryWithNothingToEmbedFindsNothingInsteadOfA500() {
        for (String query : List.of("\\u200d\\ufeff", "\\u0000", "soup\\u0000")) {
            HttpResponse<String> response = retrieve(publicKey, "{\"query\":\"" + query + "\",\"kbs\":[\"rag-public\"]}");
            assertThat(response.statusCode()).as(query + ": " + response.body()).isEqualTo(200);
            HttpResponse<String> chat = post("/v1/chat/completions", chatterKey, "{\"model\":\"" + ECHO_EXPERT
                    + "\",\"kbs\":[\"rag-public\"],\"messages\":[{\"role\":\"user\",\"content\":\"" + query + "\"}]}");
            assertThat(chat.statusCode()).as(query + ": " + chat.body()).isEqualTo(200);
        }
        assertThat(json(retrieve(publicKey, "{\"query\":\"\\u200d\\ufeff\",\"kbs\":[\"rag-public\"]}"))).isEmpty();
        assertThat(json(retrieve(publicKey, "{\"query\":\"soup\\u0000\",\"kbs\":[\"rag-public\"]}")).toString()).contains("cafeteria");
    }

    /**
     * Found while running ChatApiPropertyTest with the rest: a chat whose question was blank or longer
     * than a retrieval query may be, to an expert with default knowledge bases or naming one, was
     * refused with a 400 naming 'query', a field the chat client never sent.
     */
    @Test
    void aChatQuestionThatIsBlankOrLongerThanAQueryIsAnswered() {
        for (String question : List.of(" ", "lentil soup ".repeat(400))) {
            // The demo key reads echo's default knowledge base; the chatter names one it may read.
            for (String[] caller : List.of(new String[] {DEMO_KEY, ""}, new String[] {chatterKey, ",\"kbs\":[\"rag-public\"]"})) {
                HttpResponse<String> chat = post("/v1/chat/completions", caller[0], "{\"model\":\"" + ECHO_EXPERT
                        + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + question + "\"}]" + caller[1] + "}");
                assertThat(chat.statusCode()).as(question.length() + " characters" + caller[1] + ": " + chat.body()).isEqualTo(200);
            }
        }
        HttpResponse<String> unknown = post("/v1/chat/completions", chatterKey, "{\"model\":\"" + ECHO_EXPERT
                + "\",\"messages\":[{\"role\":\"user\",\"content\":\" \"}],\"kbs\":[\"no-such-kb\"]}");
        assertThat(unknown.statusCode()).as(unknown.body()).isEqualTo(404);
    }

    @Test
    void anUnknownKnowledgeBaseIs404AndBadInput400() {
        assertError(retrieve(publicKey, """
                {"query":"soup","kbs":["rag-public","no-such-kb"]}"""), 404, "kbs[1]");
        assertError(retrieve(publicKey, """
                {"query":"  "}"""), 400, "query");
        assertError(retrieve(publicKey, """
                {"query":"soup","topK":0}"""), 400, "topK");
        HttpResponse<String> withoutChat = retrieve(devToken("demo-auditor"), """
                {"query":"soup"}""");
        assertThat(withoutChat.statusCode()).isEqualTo(403);
        assertThat(json(withoutChat).at("/error/message").asString()).contains("'chat'");
    }

    @Test
    void thePublicApiChecksTheCallerToo() {
        Caller finance = new Caller("svc", CallerType.API_KEY, Set.of("x"), Set.of("chat", "kb:rag-finance:read"), null);
        Caller other = new Caller("svc", CallerType.API_KEY, Set.of("x"), Set.of("chat", "kb:rag-public:read"), null);

        List<Passage> passages = retrieval.retrieve(finance, SECRET_QUERY, List.of(), 2);

        assertThat(passages).isNotEmpty().allSatisfy(p -> assertThat(p.kbId()).isEqualTo("rag-finance"));
        assertThat(Passages.promptBlock(passages)).contains("[1] Merger memo").contains("412 million");
        assertThat(Passages.citations(passages).getFirst().externalId()).isEqualTo("merger-memo");
        assertThat(retrieval.retrieve(other, SECRET_QUERY, null, 5)).noneMatch(p -> p.kbId().equals("rag-finance"));
        assertThatThrownBy(() -> retrieval.retrieve(other, SECRET_QUERY, List.of("rag-finance"), 5))
                .isInstanceOf(ApiException.class).hasMessageContaining("rag-finance");
    }

    @Test
    void chatUsesTheExpertsReadableDefaultsUnlessTheRequestNamesKnowledgeBases() {
        Caller finance = new Caller("svc", CallerType.API_KEY, Set.of("x"), Set.of("chat", "kb:rag-finance:read", "kb:rag-echo-default:read"), null);
        Caller other = new Caller("svc", CallerType.API_KEY, Set.of("x"), Set.of("chat", "kb:rag-public:read"), null);

        assertThat(retrieval.defaultKnowledgeBases(ECHO_EXPERT)).contains("rag-echo-default").doesNotContain("rag-finance");
        assertThat(retrieval.retrieveForChat(finance, SECRET_QUERY, ECHO_EXPERT, null, 5))
                .isNotEmpty().allSatisfy(p -> assertThat(p.kbId()).isEqualTo("rag-echo-default"));
        assertThat(retrieval.retrieveForChat(finance, SECRET_QUERY, ECHO_EXPERT, List.of("rag-finance"), 5))
                .isNotEmpty().allSatisfy(p -> assertThat(p.kbId()).isEqualTo("rag-finance"));
        assertThat(retrieval.retrieveForChat(other, SECRET_QUERY, ECHO_EXPERT, null, 5)).as("unreadable defaults are skipped").isEmpty();
        assertThatThrownBy(() -> retrieval.retrieveForChat(other, SECRET_QUERY, ECHO_EXPERT, List.of("rag-echo-default"), 5))
                .isInstanceOf(ApiException.class).hasMessageContaining("rag-echo-default");
    }
}
