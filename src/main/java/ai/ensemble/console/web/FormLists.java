package ai.ensemble.console.web;

import java.util.Arrays;
import java.util.List;

/** Lists typed into one text field (roles, permissions), separated by commas, spaces or new lines. */
final class FormLists {

    private FormLists() {
    }

    static List<String> split(String value) {
        if (value == null) {
            return List.of();
        }
        return Arrays.stream(value.split("[,\\s]+")).map(String::strip).filter(v -> !v.isEmpty()).toList();
    }
}
