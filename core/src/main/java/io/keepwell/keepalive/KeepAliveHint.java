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

    /** The timeout in nanoseconds, or {@link Long#MAX_VALUE} when the server gave none. */
    public long timeoutNanos() {
        return timeoutSeconds < 0 ? Long.MAX_VALUE : timeoutSeconds * 1_000_000_000L;
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
