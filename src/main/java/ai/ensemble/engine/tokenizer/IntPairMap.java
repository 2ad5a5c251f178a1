package ai.ensemble.engine.tokenizer;

/**
 * A map from a pair of ints to a long in open-addressed primitive arrays, so that the BPE merge
 * loop allocates nothing. As the merge table: (left id, right id) → (rank << 32 | merged id);
 * lower ranks merge first, equal ranks (which score-ordered SentencePiece vocabularies produce)
 * leftmost first.
 */
final class IntPairMap {

    static final long ABSENT = -1;
    private static final long EMPTY = -1;

    // Slot i holds its key, (left << 32) | right or EMPTY, at 2i and its value at 2i + 1: one cache
    // line per probe, which is what lookups in a table of a million pairs cost.
    private final long[] slots;
    private final int mask;
    private int size;

    IntPairMap(int expected) {
        int capacity = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        slots = new long[capacity * 2];
        mask = capacity - 1;
        for (int i = 0; i < slots.length; i += 2) {
            slots[i] = EMPTY;
        }
    }

    /** Adds a merge, replacing an earlier one for the same pair (as Hugging Face's merge map does). */
    void put(int left, int right, int rank, int merged) {
        insert(left, right, rank, merged, true);
    }

    /** Adds a merge unless the pair already has one. */
    void putIfAbsent(int left, int right, int rank, int merged) {
        insert(left, right, rank, merged, false);
    }

    boolean contains(int left, int right) {
        return get(left, right) != ABSENT;
    }

    private void insert(int left, int right, int rank, int merged, boolean replace) {
        if (size * 2 >= slots.length / 2) {
            throw new IllegalStateException("merge table is full: more merges than announced");
        }
        long key = key(left, right);
        int slot = slot(key);
        while (slots[2 * slot] != EMPTY) {
            if (slots[2 * slot] == key) {
                if (replace) {
                    slots[2 * slot + 1] = ((long) rank << 32) | (merged & 0xFFFFFFFFL);
                }
                return;
            }
            slot = (slot + 1) & mask;
        }
        slots[2 * slot] = key;
        slots[2 * slot + 1] = ((long) rank << 32) | (merged & 0xFFFFFFFFL);
        size++;
    }

    /** {@code (rank << 32) | mergedId}, or {@link #ABSENT}. */
    long get(int left, int right) {
        long key = key(left, right);
        int slot = slot(key);
        while (true) {
            long found = slots[2 * slot];
            if (found == key) {
                return slots[2 * slot + 1];
            }
            if (found == EMPTY) {
                return ABSENT;
            }
            slot = (slot + 1) & mask;
        }
    }

    int size() {
        return size;
    }

    private static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h >>> 32) & mask;
    }
}
