package ai.ensemble.engine.serve;

/**
 * A W3C {@code traceparent} header as the worker reads it: the trace id, the caller's span id (the
 * parent of the worker's span) and whether the caller sampled the trace. Anything malformed is no
 * trace parent at all, so a bad header never fails a request; it only means no span is recorded.
 */
record TraceParent(String traceId, String parentSpanId, boolean sampled) {

    private static final int LENGTH = 55; // "00-" + 32 hex + "-" + 16 hex + "-" + 2 hex

    /**
     * Reads version {@code 00} (and a later version's leading fields, as the W3C draft asks; a
     * later version may append fields after a dash), or returns null for anything else: a wrong
     * length, upper-case or non-hex digits, version {@code ff}, an all-zero trace or span id.
     */
    static TraceParent parse(String header) {
        if (header == null) {
            return null;
        }
        String value = header.strip();
        if (value.length() < LENGTH || !hex(value, 0, 2) || value.startsWith("ff") || value.charAt(2) != '-'
                || value.charAt(35) != '-' || value.charAt(52) != '-' || !hex(value, 3, 35) || !hex(value, 36, 52)
                || !hex(value, 53, 55)) {
            return null;
        }
        boolean version00 = value.startsWith("00");
        if (version00 ? value.length() != LENGTH : value.length() > LENGTH && value.charAt(LENGTH) != '-') {
            return null;
        }
        String traceId = value.substring(3, 35);
        String parentSpanId = value.substring(36, 52);
        if (traceId.chars().allMatch(c -> c == '0') || parentSpanId.chars().allMatch(c -> c == '0')) {
            return null;
        }
        boolean sampled = (Integer.parseInt(value.substring(53, 55), 16) & 1) == 1;
        return new TraceParent(traceId, parentSpanId, sampled);
    }

    private static boolean hex(String value, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = value.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }
}
