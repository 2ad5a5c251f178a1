package ai.ensemble.engine.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Turns generated tokens into text as they arrive without ever emitting half a character: bytes
 * of an incomplete UTF-8 sequence wait for the next token (an emoji is often four byte tokens).
 * Not thread-safe; one per generation.
 */
public final class StreamingDecoder {

    private final Tokenizer tokenizer;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    public StreamingDecoder(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** The text that {@code tokenId} completes; empty while a character is still incomplete. */
    public String accept(int tokenId) {
        pending.writeBytes(tokenizer.tokenBytes(tokenId));
        byte[] bytes = pending.toByteArray();
        int complete = completePrefixLength(bytes);
        pending.reset();
        pending.write(bytes, complete, bytes.length - complete);
        return new String(bytes, 0, complete, StandardCharsets.UTF_8);
    }

    /** Whatever is still buffered, with U+FFFD for an unfinished character; call at the end of generation. */
    public String flush() {
        String rest = pending.toString(StandardCharsets.UTF_8);
        pending.reset();
        return rest;
    }

    /**
     * The length of the longest prefix that does not end inside a UTF-8 sequence that later bytes
     * could still complete. Invalid bytes are not held back (they would never become valid).
     */
    static int completePrefixLength(byte[] bytes) {
        int n = bytes.length;
        // A sequence is at most 4 bytes, so only the last 3 can start an incomplete one.
        for (int back = 1; back <= Math.min(3, n); back++) {
            int b = bytes[n - back] & 0xFF;
            if ((b & 0xC0) == 0x80) {
                continue; // a continuation byte: look further back for its lead byte
            }
            int needed = b >= 0xF0 && b <= 0xF4 ? 4 : b >= 0xE0 ? (b <= 0xEF ? 3 : 0) : b >= 0xC2 ? 2 : 0;
            return needed > back ? n - back : n;
        }
        return n;
    }
}
