package ai.ensemble.engine.serve;

import java.util.Map;

/**
 * Writes the worker's small JSON objects by hand (the engine carries no JSON library): string,
 * number, boolean and nested-map values, in the map's order.
 */
public final class JsonText {

    private JsonText() {
    }

    /** One object; values may be String, Number, Boolean, null or a nested Map. */
    public static String object(Map<String, ?> fields) {
        StringBuilder out = new StringBuilder("{");
        boolean first = true;
        for (Map.Entry<String, ?> field : fields.entrySet()) {
            out.append(first ? "" : ",").append(quote(field.getKey())).append(':');
            first = false;
            Object value = field.getValue();
            if (value instanceof Map<?, ?> nested) {
                @SuppressWarnings("unchecked")
                Map<String, ?> map = (Map<String, ?>) nested;
                out.append(object(map));
            } else if (value instanceof Double d && !Double.isFinite(d)) {
                out.append("null");
            } else if (value instanceof Number || value instanceof Boolean) {
                out.append(value);
            } else {
                out.append(value == null ? "null" : quote(value.toString()));
            }
        }
        return out.append('}').toString();
    }

    /** A JSON string literal. */
    public static String quote(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder(text.length() + 2);
        ai.ensemble.engine.json.Json.appendString(out, text);
        return out.toString();
    }
}
