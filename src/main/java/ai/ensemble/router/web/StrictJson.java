package ai.ensemble.router.web;

import ai.ensemble.shared.ApiError;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.json.JsonMapper;

/** Reads admin request bodies refusing unknown fields, so a misspelt field is a 400 naming it, not a silent default. */
@Component
class StrictJson {

    private final JsonMapper json = JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    <T> T read(String body, Class<T> type) {
        try {
            T value = json.readValue(body, type);
            if (value == null) {
                throw ApiError.invalidRequest(null, "Request body must be a JSON object").exception();
            }
            return value;
        } catch (UnrecognizedPropertyException e) {
            throw ApiError.invalidRequest(e.getPropertyName(), "Unknown field '" + e.getPropertyName() + "'").exception();
        } catch (MismatchedInputException e) {
            String field = e.getPath().isEmpty() ? null : e.getPath().getLast().getPropertyName();
            throw ApiError.invalidRequest(field, field == null ? "Request body must be a JSON object"
                    : "'" + field + "' has the wrong type").exception();
        } catch (JacksonException e) {
            throw ApiError.invalidRequest(null, "Request body is not valid JSON: " + e.getOriginalMessage()).exception();
        }
    }
}
