package ai.ensemble.engine.serve;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import ai.ensemble.engine.LocalModel;
import ai.ensemble.engine.json.Json;

/**
 * The body of {@code POST /internal/v1/generate}: {@code messages} (role/content objects), and the
 * optional {@code max_tokens}, {@code temperature}, {@code top_p}, {@code seed}, {@code stop},
 * {@code presence_penalty}, {@code frequency_penalty}. Parsing names the first field that breaks a rule.
 */
record GenerateRequest(List<LocalModel.Turn> turns, LocalModel.Settings settings) {

    static final int DEFAULT_MAX_TOKENS = 256;
    private static final int MAX_STOP_STRINGS = 16;

    /** A field broke a rule; {@code field} names it as the body spells it. */
    static final class InvalidException extends Exception {
        final String field;

        InvalidException(String field, String message) {
            super(message, null, false, false);
            this.field = field;
        }
    }

    static GenerateRequest parse(String body) throws InvalidException {
        Map<String, Object> json;
        try {
            json = Json.parseObject(body);
        } catch (RuntimeException e) {
            throw new InvalidException("body", "the body must be a JSON object: " + e.getMessage());
        }
        if (!(json.get("messages") instanceof List<?> messages) || messages.isEmpty()) {
            throw new InvalidException("messages", "'messages' must be a non-empty array of {role, content}");
        }
        List<LocalModel.Turn> turns = new ArrayList<>(messages.size());
        for (int i = 0; i < messages.size(); i++) {
            if (!(messages.get(i) instanceof Map<?, ?> message) || !(message.get("role") instanceof String role) || role.isBlank()
                    || !(message.get("content") instanceof String content)) {
                throw new InvalidException("messages[" + i + "]", "'messages[" + i + "]' must have a string 'role' and 'content'");
            }
            turns.add(new LocalModel.Turn(role, content));
        }
        int maxTokens = json.containsKey("max_tokens") ? (int) integer(json, "max_tokens", 1, 1_000_000) : DEFAULT_MAX_TOKENS;
        Float temperature = number(json, "temperature", 0, 2);
        Float topP = number(json, "top_p", 0, 1);
        Float presence = number(json, "presence_penalty", -2, 2);
        Float frequency = number(json, "frequency_penalty", -2, 2);
        Long seed = json.get("seed") == null ? null : integer(json, "seed", Long.MIN_VALUE, Long.MAX_VALUE);
        return new GenerateRequest(turns, new LocalModel.Settings(maxTokens, temperature, topP, seed, presence, frequency,
                stop(json.get("stop"))));
    }

    private static long integer(Map<String, Object> json, String field, long min, long max) throws InvalidException {
        if (!(json.get(field) instanceof Long value) || value < min || value > max) {
            throw new InvalidException(field, "'" + field + "' must be an integer from " + min + " to " + max);
        }
        return value;
    }

    private static Float number(Map<String, Object> json, String field, double min, double max) throws InvalidException {
        Object value = json.get(field);
        if (value == null) {
            return null;
        }
        if (!(value instanceof Number n) || n.doubleValue() < min || n.doubleValue() > max) {
            throw new InvalidException(field, "'" + field + "' must be a number from " + min + " to " + max);
        }
        return n.floatValue();
    }

    private static List<String> stop(Object value) throws InvalidException {
        if (value == null) {
            return List.of();
        }
        if (value instanceof String text) {
            return List.of(text);
        }
        if (value instanceof List<?> list && list.size() <= MAX_STOP_STRINGS
                && list.stream().allMatch(s -> s instanceof String text && !text.isEmpty())) {
            return list.stream().map(String.class::cast).toList();
        }
        throw new InvalidException("stop", "'stop' must be a string or an array of at most " + MAX_STOP_STRINGS
                + " non-empty strings");
    }
}
