package io.keepwell.keepalive;

/**
 * A server's {@code Keep-Alive: timeout=N, max=M} header, parsed defensively: values that are not
 * plain non-negative decimal numbers of sane size are ignored, never trusted.
 *
 * @param timeoutSeconds how long the server keeps the idle connection, or -1 if not given
 * @param max            how many further requests the server accepts on it, or -1 if not given
 */
public record KeepAliveHint(long timeoutSeconds, int max) {

    public static final KeepAliveHint NONE = new KeepAliveHint(-1, -1);

    /** Longest timeout believed: a day. Anything longer is nonsense, and ignored. */
    private static final long MAX_TIMEOUT_SECONDS = 86_400;

    public static KeepAliveHint parse(String header) {
        if (header == null || header.isEmpty()) {
            return NONE;
        }
        long timeout = -1;
        long max = -1;
        for (String part : header.split(",")) {
            int eq = part.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String name = part.substring(0, eq).trim();
            long value = parseNumber(part.substring(eq + 1).trim());
            if (value < 0) {
                continue;
            }
            if (name.equalsIgnoreCase("timeout") && value <= MAX_TIMEOUT_SECONDS) {
                timeout = value;
            } else if (name.equalsIgnoreCase("max") && value <= Integer.MAX_VALUE) {
                max = value;
            }
        }
        return timeout == -1 && max == -1 ? NONE : new KeepAliveHint(timeout, (int) max);
    }

    /** Least margin kept below the server's idle limit. */
    private static final long MIN_MARGIN_NANOS = 1_000_000_000L;

    /**
     * How long the client may keep the connection idle, in nanoseconds: the server's timeout less
     * a safety margin of 1 s or 10%, whichever is larger, and at least 0 (do not keep it); or
     * {@link Long#MAX_VALUE} when the server gave none. The server's timer and ours start at
     * different instants (its from its last write, ours from our last read) and a request in flight
     * as its timer fires is the race a pool exists to avoid, so the full timeout is never used.
     */
    public long timeoutNanos() {
        if (timeoutSeconds < 0) {
            return Long.MAX_VALUE;
        }
        long full = timeoutSeconds * 1_000_000_000L;
        long margin = Math.max(MIN_MARGIN_NANOS, full / 10);
        return Math.max(0, full - margin);
    }

    private static long parseNumber(String s) {
        if (s.isEmpty() || s.length() > 12) {
            return -1;
        }
        long v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
