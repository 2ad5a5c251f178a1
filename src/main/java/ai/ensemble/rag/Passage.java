package ai.ensemble.rag;

/**
 * One retrieved chunk. {@code score} is the fused reciprocal-rank score (higher is better; only
 * comparable within one retrieval); {@code title} is the document's title and {@code section} the
 * heading path of the chunk inside it.
 */
public record Passage(String kbId, String documentId, String externalId, String title, String section, long chunkId,
                      double score, String text) {

    public Citation citation() {
        return new Citation(kbId, documentId, externalId, title, chunkId);
    }
}
