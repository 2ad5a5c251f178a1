package ai.ensemble.rag;

import java.util.List;

import ai.ensemble.security.Caller;

/** Hybrid retrieval over the knowledge bases a caller may read. */
public interface Retrieval {

    /**
     * The {@code topK} best passages for {@code query}.
     *
     * @param kbs the knowledge bases to search; {@code null} or empty searches every one the caller
     *            may read. A named knowledge base that does not exist is a 404, one the caller may
     *            not read a 403 naming it ({@link ai.ensemble.shared.ApiException}).
     */
    List<Passage> retrieve(Caller caller, String query, List<String> kbs, int topK);

    /** The knowledge bases an expert uses when a request names none (empty when none is configured). */
    List<String> defaultKnowledgeBases(String expertId);

    /**
     * Retrieval for a chat request: the knowledge bases the request names (each must be readable,
     * as in {@link #retrieve}), or else the expert's defaults that the caller may read (the others
     * are skipped silently: a default is not the caller's choice). Empty when nothing is left.
     */
    default List<Passage> retrieveForChat(Caller caller, String query, String expertId, List<String> requestedKbs, int topK) {
        if (requestedKbs != null && !requestedKbs.isEmpty()) {
            return retrieve(caller, query, requestedKbs, topK);
        }
        List<String> readable = defaultKnowledgeBases(expertId).stream().filter(kb -> caller.can("kb:" + kb + ":read")).toList();
        return readable.isEmpty() ? List.of() : retrieve(caller, query, readable, topK);
    }
}
