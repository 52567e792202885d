package io.keepwell.pool;

import java.net.URI;
import java.util.Locale;
import java.util.Objects;

/**
 * Which connections may serve a request: same scheme, same host as written in the URI (not the
 * resolved address), same port. TLS settings join the key when TLS arrives.
 *
 * @param scheme the URI scheme, such as {@code "http"}; not {@code null}
 * @param host   the host as written in the URI; {@link #of(URI)} lower-cases it; not {@code null}
 * @param port   the port, 1 to 65535
 */
public record PoolKey(String scheme, String host, int port) {

    /**
     * Checks the components; the key is taken as given (use {@link #of(URI)} to normalise a URI's).
     *
     * @param scheme the URI scheme; not {@code null}
     * @param host   the host; not {@code null}
     * @param port   the port, 1 to 65535
     * @throws NullPointerException     if {@code scheme} or {@code host} is {@code null}
     * @throws IllegalArgumentException if {@code port} is not 1 to 65535
     */
    public PoolKey {
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(host, "host");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    /**
     * The key for a request URI; scheme and host are lower-cased, and the port defaults by scheme
     * (443 for {@code https}, else 80).
     *
     * @param uri an absolute request URI with a host
     * @return the key of the connections that may serve it
     */
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
