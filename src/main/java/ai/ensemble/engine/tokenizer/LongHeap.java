package ai.ensemble.engine.tokenizer;

/** A binary min-heap of longs: BPE queues (rank << 32 | position) so that no entry is boxed. */
final class LongHeap {

    private long[] values;
    private int size;

    LongHeap(int capacity) {
        values = new long[Math.max(capacity, 4)];
    }

    boolean isEmpty() {
        return size == 0;
    }

    void add(long value) {
        if (size == values.length) {
            values = java.util.Arrays.copyOf(values, size * 2);
        }
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (values[parent] <= value) {
                break;
            }
            values[i] = values[parent];
            i = parent;
        }
        values[i] = value;
    }

    long poll() {
        long top = values[0];
        long last = values[--size];
        int i = 0;
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            if (child + 1 < size && values[child + 1] < values[child]) {
                child++;
            }
            if (last <= values[child]) {
                break;
            }
            values[i] = values[child];
            i = child;
        }
        values[i] = last;
        return top;
    }
}
