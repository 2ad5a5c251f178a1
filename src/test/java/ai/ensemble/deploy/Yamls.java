package ai.ensemble.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Walks parsed YAML by dotted paths ({@code spec.template.spec}; {@code \.} is a literal dot). */
final class Yamls {

    private Yamls() {
    }

    static Object find(Object node, String path) {
        Object current = node;
        for (String key : path.split("(?<!\\\\)\\.")) {
            if (!(current instanceof Map<?, ?> map)) {
                return null;
            }
            current = map.get(key.replace("\\.", "."));
        }
        return current;
    }

    static String string(Object node, String path) {
        Object value = find(node, path);
        return value == null ? null : value.toString();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object node, String path) {
        Object value = find(node, path);
        return value instanceof Map<?, ?> ? (Map<String, Object>) value : Map.of();
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(Object node, String path) {
        Object value = find(node, path);
        return value instanceof List<?> ? (List<Map<String, Object>>) value : List.of();
    }

    /** Every map anywhere under {@code node} (itself included) that has {@code key}. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> mapsWithKey(Object node, String key) {
        List<Map<String, Object>> found = new ArrayList<>();
        if (node instanceof Map<?, ?> map) {
            if (map.containsKey(key)) {
                found.add((Map<String, Object>) map);
            }
            map.values().forEach(child -> found.addAll(mapsWithKey(child, key)));
        } else if (node instanceof List<?> list) {
            list.forEach(child -> found.addAll(mapsWithKey(child, key)));
        }
        return found;
    }
}
