package ai.ensemble.api.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import ai.ensemble.expert.ChatMessage;
import ai.ensemble.expert.ExpertRequest;
import ai.ensemble.router.Router;
import ai.ensemble.shared.ApiError;
import ai.ensemble.shared.ApiException;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads and validates a chat request by hand, so that every rejection names the exact field
 * ({@code messages[2].role}) and the rule it broke, as OpenAI's own API does.
 */
@Component
public class ChatRequestParser {

    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool");
    // Accepted by OpenAI but not (yet) by Ensemble's experts: refused rather than silently ignored.
    private static final Set<String> UNSUPPORTED = Set.of("tools", "tool_choice", "functions", "function_call",
            "audio", "modalities", "prediction");
    private static final int MAX_MESSAGES = 2048;
    /**
     * Deepest nesting below a top-level field. Far more than a chat request needs (a JSON schema in
     * {@code response_format} rarely passes 20), and far less than the 500 levels Jackson reads and
     * writes by default: the body is written again inside the audit record, where a body that had
     * just fit the reading limit failed (503) before this check.
     */
    private static final int MAX_DEPTH = 64;

    private final JsonMapper json;

    ChatRequestParser(JsonMapper json) {
        this.json = json;
    }

    public ChatCompletionRequest parse(byte[] body) {
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (JacksonException e) {
            throw invalid(null, "Request body is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw invalid(null, "Request body must be a JSON object");
        }
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            if (depth(field.getValue()) > MAX_DEPTH) {
                throw invalid(field.getKey(), "'" + field.getKey() + "' is nested more than " + MAX_DEPTH + " levels deep");
            }
        }
        for (String field : UNSUPPORTED) {
            if (root.has(field) && !root.get(field).isNull()) {
                throw invalid(field, "'" + field + "' is not supported by this gateway");
            }
        }
        String model = optionalModel(root);
        List<ChatMessage> messages = messages(root.get("messages"));
        boolean stream = optionalBoolean(root, "stream");
        boolean includeUsage = false;
        JsonNode streamOptions = root.get("stream_options");
        if (streamOptions != null && !streamOptions.isNull()) {
            if (!stream) {
                throw invalid("stream_options", "'stream_options' is only allowed when 'stream' is true");
            }
            if (!streamOptions.isObject()) {
                throw invalid("stream_options", "'stream_options' must be an object");
            }
            includeUsage = optionalBoolean(streamOptions, "include_usage", "stream_options.include_usage");
        }
        Integer n = optionalInteger(root, "n", 1, Integer.MAX_VALUE);
        if (n != null && n != 1) {
            throw invalid("n", "'n' must be 1: an expert returns exactly one choice");
        }
        if (root.path("logprobs").asBoolean(false)) {
            throw invalid("logprobs", "'logprobs' is not supported by this gateway");
        }
        Integer maxTokens = optionalInteger(root, "max_completion_tokens", 1, Integer.MAX_VALUE);
        if (maxTokens == null) {
            maxTokens = optionalInteger(root, "max_tokens", 1, Integer.MAX_VALUE);
        }
        ExpertRequest expertRequest = new ExpertRequest(messages,
                optionalNumber(root, "temperature", 0, 2),
                optionalNumber(root, "top_p", 0, 1),
                maxTokens,
                stop(root.get("stop")),
                optionalLong(root, "seed"),
                optionalNumber(root, "presence_penalty", -2, 2),
                optionalNumber(root, "frequency_penalty", -2, 2),
                optionalString(root, "user", 256));
        Map<String, Object> parameters = json.convertValue(root, new TypeReference<Map<String, Object>>() { });
        return new ChatCompletionRequest(model, stream, includeUsage, expertRequest, parameters, kbs(root.get("kbs")));
    }

    /** Levels of arrays and objects in {@code node} (0 for a scalar), counted without recursion. */
    private static int depth(JsonNode node) {
        int deepest = 0;
        ArrayDeque<Map.Entry<JsonNode, Integer>> pending = new ArrayDeque<>();
        pending.push(Map.entry(node, 0));
        while (!pending.isEmpty()) {
            Map.Entry<JsonNode, Integer> next = pending.pop();
            if (next.getKey().isContainer()) {
                int level = next.getValue() + 1;
                deepest = Math.max(deepest, level);
                if (deepest > MAX_DEPTH) {
                    return deepest;
                }
                for (JsonNode child : next.getKey()) {
                    pending.push(Map.entry(child, level));
                }
            }
        }
        return deepest;
    }

    /** {@code kbs}: knowledge base ids to ground the answer in (Ensemble's extension), at most 20. */
    private static List<String> kbs(JsonNode node) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray() || node.size() > 20) {
            throw invalid("kbs", "'kbs' must be an array of at most 20 knowledge base ids");
        }
        List<String> kbs = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode kb = node.get(i);
            if (!kb.isString() || kb.asString().isBlank() || kb.asString().length() > 100) {
                throw invalid("kbs[" + i + "]", "'kbs[" + i + "]' must be a knowledge base id (1-100 characters)");
            }
            kbs.add(kb.asString());
        }
        return kbs.stream().distinct().toList();
    }

    private static List<ChatMessage> messages(JsonNode node) {
        if (node == null || node.isNull()) {
            throw invalid("messages", "'messages' is required");
        }
        if (!node.isArray() || node.isEmpty()) {
            throw invalid("messages", "'messages' must be a non-empty array");
        }
        if (node.size() > MAX_MESSAGES) {
            throw invalid("messages", "'messages' may hold at most " + MAX_MESSAGES + " messages");
        }
        List<ChatMessage> messages = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            String path = "messages[" + i + "]";
            JsonNode message = node.get(i);
            if (!message.isObject()) {
                throw invalid(path, "'" + path + "' must be an object with 'role' and 'content'");
            }
            JsonNode role = message.get("role");
            if (role == null || !role.isString() || !ROLES.contains(role.asString())) {
                throw invalid(path + ".role", "'" + path + ".role' must be one of " + String.join(", ", ROLES.stream().sorted().toList()));
            }
            messages.add(new ChatMessage(role.asString(), content(message.get("content"), path + ".content")));
        }
        return messages;
    }

    /** Text content: a string, or an array of {@code {"type":"text","text":...}} parts joined. */
    private static String content(JsonNode node, String path) {
        if (node == null || node.isNull()) {
            throw invalid(path, "'" + path + "' is required");
        }
        if (node.isString()) {
            return node.asString();
        }
        if (!node.isArray()) {
            throw invalid(path, "'" + path + "' must be a string or an array of text parts");
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < node.size(); i++) {
            JsonNode part = node.get(i);
            String partPath = path + "[" + i + "]";
            if (!part.isObject() || !"text".equals(part.path("type").asString(null)) || !part.path("text").isString()) {
                throw invalid(partPath, "'" + partPath + "' must be {\"type\":\"text\",\"text\":string}; other part types are not supported");
            }
            text.append(part.get("text").asString());
        }
        return text.toString();
    }

    private static List<String> stop(JsonNode node) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (node.isString()) {
            return List.of(node.asString());
        }
        if (!node.isArray() || node.size() > 4) {
            throw invalid("stop", "'stop' must be a string or an array of at most 4 strings");
        }
        List<String> stops = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            if (!node.get(i).isString()) {
                throw invalid("stop[" + i + "]", "'stop[" + i + "]' must be a string");
            }
            stops.add(node.get(i).asString());
        }
        return stops;
    }

    /** An expert id, or {@code auto} (also when left out): the router chooses. */
    private static String optionalModel(JsonNode root) {
        JsonNode node = root.get("model");
        if (node == null || node.isNull()) {
            return Router.AUTO;
        }
        if (!node.isString() || node.asString().isBlank()) {
            throw invalid("model", "'model' must be a non-empty string: an expert id, or 'auto' to let the router choose");
        }
        return node.asString();
    }

    private static String optionalString(JsonNode root, String field, int maxLength) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isString() || node.asString().length() > maxLength) {
            throw invalid(field, "'" + field + "' must be a string of at most " + maxLength + " characters");
        }
        return node.asString();
    }

    private static boolean optionalBoolean(JsonNode root, String field) {
        return optionalBoolean(root, field, field);
    }

    private static boolean optionalBoolean(JsonNode root, String field, String path) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return false;
        }
        if (!node.isBoolean()) {
            throw invalid(path, "'" + path + "' must be true or false");
        }
        return node.asBoolean();
    }

    private static Double optionalNumber(JsonNode root, String field, double min, double max) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        // numberValue(), not asDouble(): Jackson refuses to narrow an integer beyond double's range
        // (1 followed by 400 zeros) and threw; as a double it is infinite, so out of range.
        double value = node.isNumber() ? node.numberValue().doubleValue() : Double.NaN;
        if (!(value >= min && value <= max)) {
            throw invalid(field, "'" + field + "' must be a number from " + format(min) + " to " + format(max));
        }
        return value;
    }

    private static Integer optionalInteger(JsonNode root, String field, int min, int max) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.asInt() < min || node.asInt() > max) {
            throw invalid(field, "'" + field + "' must be an integer of at least " + min);
        }
        return node.asInt();
    }

    private static Long optionalLong(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw invalid(field, "'" + field + "' must be an integer");
        }
        return node.asLong();
    }

    private static String format(double value) {
        return value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value);
    }

    private static ApiException invalid(String param, String message) {
        return ApiError.invalidRequest(param, message).exception();
    }
}
