package io.keepwell.pool;

import java.net.URI;
import java.util.Locale;
import java.util.Objects;

/**
 * Which connections may serve a request: same scheme, same host as written in the URI (not the
 * resolved address), same port. TLS settings join the key when TLS arrives.
 */
public record PoolKey(String scheme, String host, int port) {

    public PoolKey {
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(host, "host");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    /** The key for a request URI; the port defaults by scheme. */
    public static PoolKey of(URI uri) {
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        int port = uri.getPort();
        if (port == -1) {
            port = scheme.equals("https") ? 443 : 80;
        }
        return new PoolKey(scheme, uri.getHost().toLowerCase(Locale.ROOT), port);
    }

    @Override
    public String toString() {
        return scheme + "://" + host + ":" + port;
    }
}
