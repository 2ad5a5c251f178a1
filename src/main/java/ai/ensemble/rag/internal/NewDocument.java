package ai.ensemble.rag.internal;

/**
 * A document to ingest: its caller-given id (unique per knowledge base; ingesting the same id
 * again replaces the document), title, text (light Markdown) and metadata (a JSON object, as text).
 */
public record NewDocument(String externalId, String title, String text, String metadataJson, String contentType) {
}
