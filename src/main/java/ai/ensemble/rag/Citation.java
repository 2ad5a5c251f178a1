package ai.ensemble.rag;

/** What an answer cites: the document (its id and the caller's external id), its title and the chunk. */
public record Citation(String kbId, String documentId, String externalId, String title, long chunkId) {
}
