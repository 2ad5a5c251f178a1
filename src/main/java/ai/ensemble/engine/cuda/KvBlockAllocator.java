package ai.ensemble.engine.cuda;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.BitSet;

/**
 * The blocks of the paged KV cache: which are free, and a sequence's block table grown on demand.
 * Block 0 is never handed out (the batch's padding rows write there), so {@code blocks - 1} blocks
 * serve sequences. Blocks are handed out in the order they were freed (FIFO), so a sequence's blocks
 * are generally not contiguous. Plain bookkeeping, no GPU: {@link BatchScheduler} decides who gets
 * blocks and who is preempted; this class only guarantees that a block belongs to at most one table
 * and that no more than {@link #total()} are ever in use (a double free or a foreign block throws).
 * Not thread-safe: the scheduler thread owns it; {@link #inUse()} may be read from any thread.
 */
final class KvBlockAllocator {

    private final int blockSize;
    private final int total;
    private final ArrayDeque<Integer> free = new ArrayDeque<>();
    private final BitSet used = new BitSet();
    private volatile int inUse;

    /** {@code blocks} blocks of {@code blockSize} positions, block 0 reserved. */
    KvBlockAllocator(int blocks, int blockSize) {
        if (blocks < 2 || blockSize <= 0) {
            throw new IllegalArgumentException("need at least 2 blocks of at least 1 position, got " + blocks + " of " + blockSize);
        }
        this.blockSize = blockSize;
        this.total = blocks - 1;
        for (int b = 1; b < blocks; b++) {
            free.add(b);
        }
    }

    int blockSize() {
        return blockSize;
    }

    /** Blocks that sequences can own (all but block 0). */
    int total() {
        return total;
    }

    int free() {
        return free.size();
    }

    int inUse() {
        return inUse;
    }

    /** Blocks that hold {@code positions} positions. */
    int blocksFor(int positions) {
        return (positions + blockSize - 1) / blockSize;
    }

    /**
     * A table covering positions {@code 0..positions-1}: {@code table} itself when it already does,
     * else a copy with free blocks appended; null (nothing taken) when too few blocks are free.
     * {@code table} may be null (a sequence without blocks).
     */
    int[] grow(int[] table, int positions) {
        int have = table == null ? 0 : table.length;
        int needed = blocksFor(positions);
        if (needed <= have) {
            return table;
        }
        if (needed - have > free.size()) {
            return null;
        }
        int[] grown = table == null ? new int[needed] : Arrays.copyOf(table, needed);
        for (int i = have; i < needed; i++) {
            int block = free.poll();
            used.set(block);
            grown[i] = block;
        }
        inUse = total - free.size();
        return grown;
    }

    /** Returns every block of {@code table} (null: nothing) to the free list. */
    void release(int[] table) {
        if (table == null) {
            return;
        }
        for (int block : table) {
            if (block <= 0 || block > total || !used.get(block)) {
                throw new IllegalStateException("block " + block + " is not in use: freed twice or never handed out");
            }
            used.clear(block);
            free.add(block);
        }
        inUse = total - free.size();
    }
}
