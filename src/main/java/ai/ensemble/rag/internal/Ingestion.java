package ai.ensemble.rag.internal;

import java.util.ArrayList;
import java.util.List;

import ai.ensemble.rag.internal.Chunker.Chunk;
import ai.ensemble.rag.internal.DocumentStore.DocumentView;
import ai.ensemble.rag.internal.DocumentStore.Prepared;
import org.springframework.stereotype.Service;

/**
 * Chunks, embeds and stores documents. Documents are embedded together in batches (one model call
 * for all chunks of a batch); each document is then stored in its own transaction.
 */
@Service
public class Ingestion {

    /** What happened to one document of a batch: stored (or unchanged), or the reason it was not. */
    public record Outcome(NewDocument document, DocumentView stored, boolean unchanged, RuntimeException failure) {
    }

    private final KnowledgeBases knowledgeBases;
    private final DocumentStore documents;
    private final Embedder embedder;

    Ingestion(KnowledgeBases knowledgeBases, DocumentStore documents, Embedder embedder) {
        this.knowledgeBases = knowledgeBases;
        this.documents = documents;
        this.embedder = embedder;
    }

    /** One document, synchronously; failures propagate. */
    public Outcome ingest(String kbId, NewDocument document) {
        Outcome outcome = ingestBatch(kbId, List.of(document)).getFirst();
        if (outcome.failure() != null) {
            throw outcome.failure();
        }
        return outcome;
    }

    public List<Outcome> ingestBatch(String kbId, List<NewDocument> batch) {
        Chunker chunker = knowledgeBases.chunker(kbId);
        List<Outcome> outcomes = new ArrayList<>();
        List<Prepared> toEmbed = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        for (NewDocument document : batch) {
            String sha256 = DocumentStore.sha256(document, chunker);
            if (documents.unchanged(kbId, document.externalId(), sha256)) {
                outcomes.add(new Outcome(document, documents.findByExternalId(kbId, document.externalId()).orElseThrow(), true, null));
                continue;
            }
            List<Chunk> chunks = chunker.chunk(document.title(), document.text());
            if (chunks.isEmpty()) {
                outcomes.add(new Outcome(document, null, false, new IllegalArgumentException("the document has no text")));
                continue;
            }
            Prepared prepared = new Prepared(document, chunks, sha256);
            toEmbed.add(prepared);
            for (Chunk chunk : chunks) {
                texts.add(embeddingText(document.title(), chunk));
            }
            outcomes.add(null); // filled in below, in order
        }
        float[][] vectors = embedder.embed(texts);
        int next = 0;
        int preparedIndex = 0;
        for (int i = 0; i < outcomes.size(); i++) {
            if (outcomes.get(i) != null) {
                continue;
            }
            Prepared prepared = toEmbed.get(preparedIndex++);
            float[][] own = new float[prepared.chunks().size()][];
            System.arraycopy(vectors, next, own, 0, own.length);
            next += own.length;
            try {
                outcomes.set(i, new Outcome(prepared.document(), documents.store(kbId, prepared, own), false, null));
            } catch (RuntimeException e) {
                outcomes.set(i, new Outcome(prepared.document(), null, false, e));
            }
        }
        return outcomes;
    }

    /** The model sees the document title and the section heading with the chunk, as a reader would. */
    static String embeddingText(String documentTitle, Chunk chunk) {
        StringBuilder text = new StringBuilder();
        if (documentTitle != null && !documentTitle.isBlank()) {
            text.append(documentTitle.strip()).append('\n');
        }
        if (!chunk.title().isBlank() && !chunk.title().equals(documentTitle)) {
            text.append(chunk.title()).append('\n');
        }
        return text.append(chunk.text()).toString();
    }
}
