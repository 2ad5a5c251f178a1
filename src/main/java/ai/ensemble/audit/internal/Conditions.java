package ai.ensemble.audit.internal;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** A WHERE clause made of fixed SQL fragments, each with one bind parameter. */
final class Conditions {

    private final List<String> fragments = new ArrayList<>();
    private final List<Object> parameters = new ArrayList<>();

    /** Adds {@code fragment} (one {@code ?}) bound to {@code value}, unless the value is absent. */
    void add(String fragment, Object value) {
        if (value != null) {
            fragments.add(fragment);
            parameters.add(value);
        }
    }

    String where() {
        return fragments.isEmpty() ? "" : " where " + String.join(" and ", fragments);
    }

    List<Object> parameters() {
        return List.copyOf(parameters);
    }

    void bind(PreparedStatement statement) throws SQLException {
        for (int i = 0; i < parameters.size(); i++) {
            statement.setObject(i + 1, parameters.get(i));
        }
    }
}
