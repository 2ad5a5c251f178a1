package ai.ensemble.router.internal;

import java.util.ArrayList;
import java.util.List;

import ai.ensemble.shared.ApiException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the admin API's bulk bodies: JSON Lines (one object per line, blank lines ignored) or a
 * JSON array. Every rejection names the line (1-based) or array index and the rule.
 */
final class JsonLines {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    static final int MAX_LINES = 20_000;

    record Line(String where, JsonNode node) {
    }

    private JsonLines() {
    }

    static List<Line> lines(String body) {
        List<Line> lines = new ArrayList<>();
        String[] raw = body.split("\r?\n", -1);
        for (int i = 0; i < raw.length; i++) {
            if (raw[i].isBlank()) {
                continue;
            }
            String where = "line " + (i + 1);
            try {
                lines.add(new Line(where, JSON.readTree(raw[i])));
            } catch (JacksonException e) {
                throw ExpertValidation.invalid(where, where + " is not valid JSON: " + e.getOriginalMessage());
            }
            limit(lines.size());
        }
        if (lines.isEmpty()) {
            throw ExpertValidation.invalid(null, "The body holds no lines; send one JSON object per line");
        }
        return lines;
    }

    static List<Line> array(String body) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JacksonException e) {
            throw ExpertValidation.invalid(null, "Request body is not valid JSON: " + e.getOriginalMessage());
        }
        if (root != null && root.isObject() && root.has("examples")) {
            root = root.get("examples");
        }
        if (root == null || !root.isArray() || root.isEmpty()) {
            throw ExpertValidation.invalid(null, "The body must be a non-empty JSON array of texts or {\"text\": ...} objects");
        }
        limit(root.size());
        List<Line> lines = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            lines.add(new Line("[" + i + "]", root.get(i)));
        }
        return lines;
    }

    /** The text of an example line: a JSON string, or an object's {@code text}. */
    static String text(Line line) {
        JsonNode node = line.node();
        if (node.isObject()) {
            node = node.get("text");
        }
        String field = line.where() + (line.node().isObject() ? ".text" : "");
        if (node == null || !node.isString()) {
            throw ExpertValidation.invalid(field, "'" + field + "' must be a string (" + (line.where().startsWith("line")
                    ? "each line is {\"text\": ...}" : "each element is a string or {\"text\": ...}") + ")");
        }
        ExpertValidation.example(field, node.asString());
        return node.asString();
    }

    static String string(Line line, String name) {
        JsonNode node = line.node().isObject() ? line.node().get(name) : null;
        String field = line.where() + "." + name;
        if (node == null || !node.isString() || node.asString().isBlank()) {
            throw ExpertValidation.invalid(field, "'" + field + "' is required and must be a non-blank string");
        }
        return node.asString();
    }

    private static void limit(int size) throws ApiException {
        if (size > MAX_LINES) {
            throw ExpertValidation.invalid(null, "At most " + MAX_LINES + " lines per request");
        }
    }
}
