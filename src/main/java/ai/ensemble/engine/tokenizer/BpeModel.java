package ai.ensemble.engine.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Byte-pair encoding of one pre-tokenized piece, as Hugging Face's {@code BPE} model does it.
 * Two alphabets: byte-level (the piece's UTF-8 bytes, each a token of the GPT-2 alphabet; Llama 3,
 * Qwen) and character-level (each code point a token, unknown ones as {@code <0xNN>} byte tokens;
 * SentencePiece-style Llama 2 and Mistral). Merges run on int ids, lowest rank first and leftmost
 * among equals, the order of Hugging Face's merge loop: by rescanning for short pieces, with a heap
 * over (rank, position) for long ones.
 *
 * <p>SentencePiece-style tokenizers have no pre-tokenizer: a whole paragraph is one piece. No
 * merge can join two characters that no vocabulary token has side by side, so the piece is cut
 * there first ({@code ▁world} never merges with the character before it) and the parts, short
 * and mostly repeated, are encoded and cached on their own: the same ids, much faster.
 */
final class BpeModel {

    private static final int CACHED_PIECE_MAX_LENGTH = 64;
    private static final int CACHE_CAPACITY = 100_000;
    private static final int DEAD = -1;
    private static final int SHORT_PIECE = 48;

    private final Vocabulary vocabulary;
    private final IntPairMap merges;
    private final boolean byteLevel;
    private final boolean ignoreMerges;
    private final int[] byteSymbol;        // byte-level: the id of each byte's one-character token
    private final int[] byteFallback;      // character-level: the id of <0xNN>, or null without byte fallback
    private final int[] bmpCharacterId;    // character-level: the id of each one-character BMP token, -1 if none
    private final int unknownId;           // -1 if none
    private final boolean fuseUnknown;
    private final IntPairMap adjacentInSomeToken; // character-level: code point pairs that some token contains, or null
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    BpeModel(Vocabulary vocabulary, IntPairMap merges, boolean byteLevel, boolean ignoreMerges, boolean byteFallback,
             int unknownId, boolean fuseUnknown) {
        this.vocabulary = vocabulary;
        this.merges = merges;
        this.byteLevel = byteLevel;
        this.ignoreMerges = ignoreMerges;
        this.unknownId = unknownId;
        this.fuseUnknown = fuseUnknown;
        if (byteLevel) {
            byteSymbol = new int[256];
            for (int b = 0; b < 256; b++) {
                byteSymbol[b] = vocabulary.id(String.valueOf(ByteLevel.charOf(b)));
            }
            this.byteFallback = null;
            bmpCharacterId = null;
            adjacentInSomeToken = null;
        } else {
            byteSymbol = null;
            bmpCharacterId = new int[65536];
            java.util.Arrays.fill(bmpCharacterId, -1);
            for (int id = 0; id < vocabulary.size(); id++) {
                String token = vocabulary.token(id);
                if (token != null && token.length() == 1 && bmpCharacterId[token.charAt(0)] < 0) {
                    bmpCharacterId[token.charAt(0)] = id;
                }
            }
            this.byteFallback = byteFallback ? byteTokenIds(vocabulary) : null;
            adjacentInSomeToken = adjacentPairs(vocabulary, unknownId);
        }
    }

    /**
     * The code point pairs that occur inside vocabulary tokens, or null (no cutting) when a token
     * embeds a byte or unknown token's text, which would let merges reach across a cut.
     */
    private static IntPairMap adjacentPairs(Vocabulary vocabulary, int unknownId) {
        String unknown = unknownId >= 0 ? vocabulary.token(unknownId) : null;
        int bound = 0;
        for (int id = 0; id < vocabulary.size(); id++) {
            String token = vocabulary.token(id);
            if (token != null && Decoder.byteTokenValue(token) < 0 && id != unknownId) {
                if (token.contains("<0x") || (unknown != null && token.contains(unknown))) {
                    return null;
                }
                bound += token.length();
            }
        }
        IntPairMap pairs = new IntPairMap(bound);
        for (int id = 0; id < vocabulary.size(); id++) {
            String token = vocabulary.token(id);
            if (token == null || Decoder.byteTokenValue(token) >= 0 || id == unknownId) {
                continue;
            }
            int previous = -1;
            for (int i = 0; i < token.length(); ) {
                int codePoint = token.codePointAt(i);
                if (previous >= 0) {
                    pairs.putIfAbsent(previous, codePoint, 0, 0);
                }
                previous = codePoint;
                i += Character.charCount(codePoint);
            }
        }
        return pairs;
    }

    private static int[] byteTokenIds(Vocabulary vocabulary) {
        int[] ids = new int[256];
        for (int b = 0; b < 256; b++) {
            ids[b] = vocabulary.id(String.format("<0x%02X>", b));
        }
        return ids;
    }

    Vocabulary vocabulary() {
        return vocabulary;
    }

    boolean byteLevel() {
        return byteLevel;
    }

    /** Appends the ids of one piece: raw text for byte-level models, normalized text otherwise. */
    void encode(String piece, IntList out) {
        if (adjacentInSomeToken == null || piece.length() <= CACHED_PIECE_MAX_LENGTH) {
            encodeCached(piece, out);
            return;
        }
        int start = 0;
        int previous = piece.codePointAt(0);
        for (int i = Character.charCount(previous); i < piece.length(); ) {
            int codePoint = piece.codePointAt(i);
            if (!adjacentInSomeToken.contains(previous, codePoint)) {
                encodeCached(piece.substring(start, i), out);
                start = i;
            }
            previous = codePoint;
            i += Character.charCount(codePoint);
        }
        encodeCached(start == 0 ? piece : piece.substring(start), out);
    }

    private void encodeCached(String piece, IntList out) {
        boolean cacheable = piece.length() <= CACHED_PIECE_MAX_LENGTH;
        if (cacheable) {
            int[] cached = cache.get(piece);
            if (cached != null) {
                out.addAll(cached);
                return;
            }
        }
        int[] ids = encodeUncached(piece);
        if (cacheable) {
            if (cache.size() >= CACHE_CAPACITY) {
                cache.clear(); // a crude bound; typical text reuses a small working set of pieces
            }
            cache.put(piece, ids);
        }
        out.addAll(ids);
    }

    private int[] encodeUncached(String piece) {
        byte[] utf8 = byteLevel ? piece.getBytes(StandardCharsets.UTF_8) : null;
        if (ignoreMerges) {
            int whole = vocabulary.id(byteLevel ? ByteLevel.encode(utf8) : piece);
            if (whole >= 0) {
                return new int[] {whole};
            }
        }
        int[] ids = (byteLevel ? byteSymbols(utf8) : characterSymbols(piece)).toArray();
        int count = merge(ids);
        return count == ids.length ? ids : java.util.Arrays.copyOf(ids, count);
    }

    private IntList byteSymbols(byte[] utf8) {
        IntList symbols = new IntList(utf8.length);
        for (byte b : utf8) {
            int id = byteSymbol[b & 0xFF];
            if (id < 0) {
                throw new IllegalStateException("byte-level vocabulary has no token for byte " + (b & 0xFF));
            }
            symbols.add(id);
        }
        return symbols;
    }

    private IntList characterSymbols(String piece) {
        IntList symbols = new IntList(piece.length());
        boolean previousUnknown = false;
        for (int i = 0; i < piece.length(); ) {
            int codePoint = piece.codePointAt(i);
            int width = Character.charCount(codePoint);
            int id = width == 1 ? bmpCharacterId[codePoint] : vocabulary.id(piece.substring(i, i + width));
            i += width;
            if (id >= 0) {
                symbols.add(id);
                previousUnknown = false;
            } else if (byteFallback != null && addBytes(codePoint, symbols)) {
                previousUnknown = false;
            } else if (unknownId >= 0) {
                if (!(fuseUnknown && previousUnknown)) {
                    symbols.add(unknownId);
                }
                previousUnknown = true;
            } else {
                throw new IllegalArgumentException("character U+" + Integer.toHexString(codePoint).toUpperCase()
                        + " is not in the vocabulary and the tokenizer has neither byte fallback nor an unknown token");
            }
        }
        return symbols;
    }

    private boolean addBytes(int codePoint, IntList symbols) {
        byte[] bytes = Character.toString(codePoint).getBytes(StandardCharsets.UTF_8);
        for (byte b : bytes) {
            if (byteFallback[b & 0xFF] < 0) {
                return false;
            }
        }
        for (byte b : bytes) {
            symbols.add(byteFallback[b & 0xFF]);
        }
        return true;
    }

    /** Merges {@code ids} in place by rank, then leftmost; returns how many symbols remain at the front. */
    private int merge(int[] ids) {
        int n = ids.length;
        if (n < 2) {
            return n;
        }
        return n <= SHORT_PIECE ? mergeShort(ids) : mergeLong(ids);
    }

    /** The symbols of a piece before any merge. */
    int[] initialSymbols(String piece) {
        return (byteLevel ? byteSymbols(piece.getBytes(StandardCharsets.UTF_8)) : characterSymbols(piece)).toArray();
    }

    /** Short pieces: rescan an array of pair merges for the best one; quadratic, but no queue to keep. */
    int mergeShort(int[] ids) {
        int n = ids.length;
        long[] pairs = new long[n]; // pairs[i]: the merge of ids[i] and ids[i + 1], or ABSENT
        for (int i = 0; i + 1 < n; i++) {
            pairs[i] = merges.get(ids[i], ids[i + 1]);
        }
        pairs[n - 1] = IntPairMap.ABSENT;
        while (n > 1) {
            int best = -1;
            long bestRank = Long.MAX_VALUE;
            for (int i = 0; i + 1 < n; i++) {
                if (pairs[i] != IntPairMap.ABSENT && (pairs[i] >>> 32) < bestRank) {
                    bestRank = pairs[i] >>> 32;
                    best = i;
                }
            }
            if (best < 0) {
                break;
            }
            ids[best] = (int) pairs[best];
            System.arraycopy(ids, best + 2, ids, best + 1, n - best - 2);
            System.arraycopy(pairs, best + 2, pairs, best + 1, n - best - 2);
            n--;
            if (best > 0) {
                pairs[best - 1] = merges.get(ids[best - 1], ids[best]);
            }
            pairs[best] = best + 1 < n ? merges.get(ids[best], ids[best + 1]) : IntPairMap.ABSENT;
        }
        return n;
    }

    /** Long pieces: a heap over (rank, position) and a linked list of symbols, O(n log n). */
    int mergeLong(int[] ids) {
        int n = ids.length;
        int[] next = new int[n];
        int[] previous = new int[n];
        LongHeap heap = new LongHeap(n);
        for (int i = 0; i < n; i++) {
            next[i] = i + 1 < n ? i + 1 : -1;
            previous[i] = i - 1;
            if (i + 1 < n) {
                offer(heap, ids, i, i + 1);
            }
        }
        while (!heap.isEmpty()) {
            long top = heap.poll();
            int position = (int) top;
            int rank = (int) (top >>> 32);
            int right = next[position];
            if (ids[position] == DEAD || right < 0) {
                continue;
            }
            long merge = merges.get(ids[position], ids[right]);
            if (merge == IntPairMap.ABSENT || (int) (merge >>> 32) != rank) {
                continue; // a stale entry: one side was merged since it was queued
            }
            ids[position] = (int) merge;
            ids[right] = DEAD;
            int afterRight = next[right];
            next[position] = afterRight;
            if (afterRight >= 0) {
                previous[afterRight] = position;
                offer(heap, ids, position, afterRight);
            }
            if (previous[position] >= 0) {
                offer(heap, ids, previous[position], position);
            }
        }
        int count = 0;
        for (int i = 0; i >= 0; i = next[i]) {
            ids[count++] = ids[i];
        }
        return count;
    }

    private void offer(LongHeap heap, int[] ids, int left, int right) {
        long merge = merges.get(ids[left], ids[right]);
        if (merge != IntPairMap.ABSENT) {
            heap.add((merge & 0xFFFFFFFF00000000L) | left);
        }
    }
}
