package ai.ensemble.rag.internal;

import java.util.ArrayList;
import java.util.List;

import ai.ensemble.shared.ApiError;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Reads {@code {externalId, title, text, metadata}} documents from JSON and JSONL, naming the field (and line) at fault. */
public final class DocumentRequests {

    static final int MAX_EXTERNAL_ID = 500;
    static final int MAX_TITLE = 1000;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private DocumentRequests() {
    }

    public static NewDocument one(String json) {
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (JacksonException e) {
            throw ApiError.invalidRequest(null, "The request body is not valid JSON").exception();
        }
        return document(node, "");
    }

    /** Every line is checked before anything is stored: one bad line rejects the whole request. */
    public static List<NewDocument> lines(String jsonl) {
        List<NewDocument> documents = new ArrayList<>();
        String[] lines = jsonl == null ? new String[0] : jsonl.split("\r?\n");
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            JsonNode node;
            try {
                node = JSON.readTree(lines[i]);
            } catch (JacksonException e) {
                throw ApiError.invalidRequest("line " + (i + 1), "Line " + (i + 1) + " is not valid JSON").exception();
            }
            documents.add(document(node, "line " + (i + 1) + ": "));
        }
        if (documents.isEmpty()) {
            throw ApiError.invalidRequest(null, "The JSONL body holds no documents").exception();
        }
        return documents;
    }

    private static NewDocument document(JsonNode node, String where) {
        if (node == null || !node.isObject()) {
            throw ApiError.invalidRequest(where.isEmpty() ? null : where.strip(), where + "a document must be a JSON object").exception();
        }
        JsonNode externalId = node.path("externalId");
        if (!externalId.isString() || externalId.asString().isBlank() || externalId.asString().length() > MAX_EXTERNAL_ID) {
            throw invalid(where, "externalId", "'externalId' is required: a string of 1-" + MAX_EXTERNAL_ID + " characters");
        }
        JsonNode text = node.path("text");
        if (!text.isString() || text.asString().isBlank()) {
            throw invalid(where, "text", "'text' is required and must be a non-blank string");
        }
        JsonNode title = node.path("title");
        if (!title.isMissingNode() && !title.isNull() && (!title.isString() || title.asString().length() > MAX_TITLE)) {
            throw invalid(where, "title", "'title' must be a string of at most " + MAX_TITLE + " characters");
        }
        JsonNode metadata = node.path("metadata");
        if (!metadata.isMissingNode() && !metadata.isNull() && !metadata.isObject()) {
            throw invalid(where, "metadata", "'metadata' must be a JSON object");
        }
        String id = externalId.asString().strip();
        return new NewDocument(id, title.isString() && !title.asString().isBlank() ? title.asString().strip() : id,
                text.asString(), metadata.isObject() ? metadata.toString() : "{}", "text/plain");
    }

    private static RuntimeException invalid(String where, String field, String message) {
        return ApiError.invalidRequest(where + field, where + message).exception();
    }
}
