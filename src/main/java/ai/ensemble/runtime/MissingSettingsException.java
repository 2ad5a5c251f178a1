package ai.ensemble.runtime;

import java.util.List;

/** Start-up refused: the listed settings have no value. */
class MissingSettingsException extends RuntimeException {

    private final List<String> missing;

    MissingSettingsException(List<String> missing) {
        super("Missing required settings: " + String.join("; ", missing));
        this.missing = List.copyOf(missing);
    }

    List<String> missing() {
        return missing;
    }
}
