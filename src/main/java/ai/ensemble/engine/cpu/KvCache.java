package ai.ensemble.engine.cpu;

/**
 * Keys and values of the positions a sequence has seen, one cache per sequence. Each backend
 * keeps them where its attention reads them; a cache is used only with the {@link Forward} that
 * made it.
 */
public interface KvCache {

    /** Positions the cache can hold: a forward pass at position >= capacity is refused. */
    int capacity();
}
