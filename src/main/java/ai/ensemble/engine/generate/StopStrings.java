package ai.ensemble.engine.generate;

import java.util.List;

/**
 * Watches the decoded text for stop strings. Text is released only once it can no longer be the
 * start of a stop string, so that a stop string is never streamed, even in part. Public for
 * {@link ai.ensemble.engine.LocalModel}'s batched GPU path, which decodes tokens outside {@link Generator}.
 */
public final class StopStrings {

    private final List<String> stops;
    private final StringBuilder text = new StringBuilder();
    private int released;
    private boolean stopped;

    public StopStrings(List<String> stops) {
        this.stops = stops;
    }

    /** Appends decoded text and returns what may be released now; {@link #stopped} tells if a stop string appeared. */
    public String append(String piece) {
        if (stopped) {
            return "";
        }
        text.append(piece);
        int earliest = -1;
        for (String stop : stops) {
            int at = text.indexOf(stop, released);
            if (at >= 0 && (earliest < 0 || at < earliest)) {
                earliest = at;
            }
        }
        if (earliest >= 0) {
            stopped = true;
            text.setLength(earliest);
            return release(earliest);
        }
        return release(text.length() - heldBack());
    }

    /** Releases the rest, at the end of generation. */
    public String finish() {
        return release(text.length());
    }

    public boolean stopped() {
        return stopped;
    }

    /** The text released so far. */
    public String released() {
        return text.substring(0, released);
    }

    /** Length of the longest unreleased suffix that is the beginning of a stop string. */
    private int heldBack() {
        int longest = 0;
        int available = text.length() - released;
        for (String stop : stops) {
            for (int length = Math.min(stop.length() - 1, available); length > longest; length--) {
                if (endsWithStartOf(stop, length)) {
                    longest = length;
                    break;
                }
            }
        }
        return longest;
    }

    private boolean endsWithStartOf(String stop, int length) {
        int start = text.length() - length;
        for (int i = 0; i < length; i++) {
            if (text.charAt(start + i) != stop.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private String release(int upTo) {
        String out = text.substring(released, upTo);
        released = upTo;
        return out;
    }
}
