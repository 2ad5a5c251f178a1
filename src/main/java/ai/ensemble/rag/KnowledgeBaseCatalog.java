package ai.ensemble.rag;

import java.util.List;

import ai.ensemble.security.Caller;

/**
 * The knowledge bases a caller may read, by id and name: what a chat client (the console's
 * playground) offers to ground an answer in. Readability is the same {@code kb:<id>:read}
 * permission that retrieval checks.
 */
public interface KnowledgeBaseCatalog {

    /** A knowledge base as a picker shows it. */
    record Entry(String id, String name, String description) {
    }

    /** The knowledge bases {@code caller} may read, ordered by id. */
    List<Entry> readableBy(Caller caller);
}
