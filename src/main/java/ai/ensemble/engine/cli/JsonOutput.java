package ai.ensemble.engine.cli;

import java.util.Map;

/**
 * Writes the command line's JSON by hand (the engine carries no JSON library). Objects keep the
 * order fields are added in; non-finite numbers, which JSON cannot hold, are written as null.
 */
final class JsonOutput {

    private final StringBuilder out = new StringBuilder();
    private boolean first = true;

    JsonOutput() {
        out.append('{');
    }

    JsonOutput field(String name, String value) {
        key(name);
        if (value == null) {
            out.append("null");
        } else {
            string(out, value);
        }
        return this;
    }

    JsonOutput field(String name, long value) {
        key(name).append(value);
        return this;
    }

    JsonOutput field(String name, double value) {
        key(name);
        number(out, value);
        return this;
    }

    JsonOutput field(String name, int[] values) {
        key(name).append('[');
        for (int i = 0; i < values.length; i++) {
            out.append(i > 0 ? "," : "").append(values[i]);
        }
        out.append(']');
        return this;
    }

    /** An object of float arrays, e.g. logits rows by position. */
    JsonOutput field(String name, Map<String, float[]> rows) {
        key(name).append('{');
        boolean firstRow = true;
        for (Map.Entry<String, float[]> row : rows.entrySet()) {
            out.append(firstRow ? "" : ",");
            firstRow = false;
            string(out, row.getKey());
            out.append(":[");
            float[] values = row.getValue();
            for (int i = 0; i < values.length; i++) {
                out.append(i > 0 ? "," : "");
                number(out, values[i]);
            }
            out.append(']');
        }
        out.append('}');
        return this;
    }

    @Override
    public String toString() {
        return out + "}";
    }

    private StringBuilder key(String name) {
        out.append(first ? "" : ",");
        first = false;
        string(out, name);
        return out.append(':');
    }

    private static void number(StringBuilder out, double value) {
        if (!Double.isFinite(value)) {
            out.append("null");
        } else if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            out.append((long) value);
        } else {
            out.append(value);
        }
    }

    private static void number(StringBuilder out, float value) {
        if (!Float.isFinite(value)) {
            out.append("null");
        } else {
            out.append(value); // Float.toString: the shortest decimal that reads back as the same float
        }
    }

    static void string(StringBuilder out, String value) {
        ai.ensemble.engine.json.Json.appendString(out, value);
    }
}
