package io.keepwell.bench.util;

import java.net.URI;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The bench sends traffic to this machine only. A target must name a loopback address literally
 * (127.0.0.0/8, {@code [::1]}) or be {@code localhost}; nothing is resolved through DNS to decide.
 */
public final class Loopback {

    /** The one address the bench's servers bind. */
    public static final String ADDRESS = "127.0.0.1";

    private static final Pattern IPV4_LOOPBACK = Pattern.compile("127\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");

    private Loopback() {
    }

    /** Returns {@code uri} if its host is a loopback literal or {@code localhost}; throws otherwise. */
    public static URI require(URI uri) {
        String host = uri.getHost();
        if (host == null || !isLoopback(host)) {
            throw new IllegalArgumentException("refusing to send load to " + uri
                    + ": the bench targets loopback only (127.0.0.0/8, [::1], localhost)");
        }
        return uri;
    }

    static boolean isLoopback(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.equals("localhost") || h.equals("[::1]") || h.equals("::1")) {
            return true;
        }
        var m = IPV4_LOOPBACK.matcher(h);
        if (!m.matches()) {
            return false;
        }
        for (int g = 1; g <= 3; g++) {
            if (Integer.parseInt(m.group(g)) > 255) {
                return false;
            }
        }
        return true;
    }
}
