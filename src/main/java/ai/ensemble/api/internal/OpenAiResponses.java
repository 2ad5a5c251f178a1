package ai.ensemble.api.internal;

import ai.ensemble.expert.Completion;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * OpenAI's response shapes, written as trees so that fields clients require to be present
 * ({@code finish_reason}, {@code logprobs}) appear even when null.
 */
final class OpenAiResponses {

    private final JsonMapper json;

    OpenAiResponses(JsonMapper json) {
        this.json = json;
    }

    String completion(String id, long created, String model, Completion completion) {
        return completion(id, created, model, completion, java.util.List.of());
    }

    /** With {@code citations} (Ensemble's extension): what the answer's [n] markers refer to, in order. */
    String completion(String id, long created, String model, Completion completion, java.util.List<?> citations) {
        return completion(id, created, model, completion, citations, null);
    }

    /**
     * With {@code guardrails} too (Ensemble's extension, left out when null): the policies that applied
     * and their verdicts (stage, policy, detector, entity type, action, span; never the matched text).
     */
    String completion(String id, long created, String model, Completion completion, java.util.List<?> citations,
                      java.util.Map<String, ?> guardrails) {
        ObjectNode root = header(id, "chat.completion", created, model);
        extensions(root, citations, guardrails);
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        message.put("content", completion.text());
        message.putNull("refusal");
        choice.putNull("logprobs");
        choice.put("finish_reason", completion.finishReason());
        usage(root, completion.usage());
        return json.writeValueAsString(root);
    }

    String chunk(String id, long created, String model, String role, String content, String finishReason) {
        return chunk(id, created, model, role, content, finishReason, java.util.List.of());
    }

    /** A chunk; the last one (with the finish reason) carries the citations, when there are any. */
    String chunk(String id, long created, String model, String role, String content, String finishReason,
                 java.util.List<?> citations) {
        return chunk(id, created, model, role, content, finishReason, citations, null);
    }

    /** A chunk; the last one carries the citations and the guardrails (as in {@link #completion}), when there are any. */
    String chunk(String id, long created, String model, String role, String content, String finishReason,
                 java.util.List<?> citations, java.util.Map<String, ?> guardrails) {
        ObjectNode root = header(id, "chat.completion.chunk", created, model);
        extensions(root, citations, guardrails);
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode delta = choice.putObject("delta");
        if (role != null) {
            delta.put("role", role);
        }
        if (content != null) {
            delta.put("content", content);
        }
        choice.putNull("logprobs");
        if (finishReason == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finishReason);
        }
        return json.writeValueAsString(root);
    }

    String usageChunk(String id, long created, String model, Completion.Usage usage) {
        ObjectNode root = header(id, "chat.completion.chunk", created, model);
        root.putArray("choices");
        usage(root, usage);
        return json.writeValueAsString(root);
    }

    private void extensions(ObjectNode root, java.util.List<?> citations, java.util.Map<String, ?> guardrails) {
        if (!citations.isEmpty()) {
            root.set("citations", json.valueToTree(citations));
        }
        if (guardrails != null) {
            root.set("guardrails", json.valueToTree(guardrails));
        }
    }

    private ObjectNode header(String id, String object, long created, String model) {
        ObjectNode root = json.createObjectNode();
        root.put("id", id);
        root.put("object", object);
        root.put("created", created);
        root.put("model", model);
        return root;
    }

    private static void usage(ObjectNode root, Completion.Usage usage) {
        ObjectNode node = root.putObject("usage");
        node.put("prompt_tokens", usage.promptTokens());
        node.put("completion_tokens", usage.completionTokens());
        node.put("total_tokens", usage.totalTokens());
    }
}
