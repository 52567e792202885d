package io.keepwell.pool;

import java.net.URI;
import java.util.Locale;
import java.util.Objects;

/**
 * Which connections may serve a request: same scheme, same host as written in the URI (not the
 * resolved address, so a name's addresses share one pool), same port, and the same {@link Route}
 * (direct, a proxy, a Unix socket), so connections through different proxies never mix. A client
 * has one TLS configuration, so the scheme stands for it.
 *
 * @param scheme the URI scheme, such as {@code "http"}; not {@code null}
 * @param host   the host as written in the URI; {@link #of(URI)} lower-cases it; not {@code null}
 * @param port   the port, 1 to 65535
 * @param route  how connections reach the origin; not {@code null}
 */
public record PoolKey(String scheme, String host, int port, Route route) {

    /**
     * Checks the components; the key is taken as given (use {@link #of(URI)} to normalise a URI's).
     *
     * @param scheme the URI scheme; not {@code null}
     * @param host   the host; not {@code null}
     * @param port   the port, 1 to 65535
     * @param route  how connections reach the origin; not {@code null}
     * @throws NullPointerException     if {@code scheme}, {@code host} or {@code route} is {@code null}
     * @throws IllegalArgumentException if {@code port} is not 1 to 65535
     */
    public PoolKey {
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(route, "route");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    /**
     * A key of the {@link Route#DIRECT direct} route.
     *
     * @param scheme the URI scheme; not {@code null}
     * @param host   the host; not {@code null}
     * @param port   the port, 1 to 65535
     */
    public PoolKey(String scheme, String host, int port) {
        this(scheme, host, port, Route.DIRECT);
    }

    /**
     * The key for a request URI; scheme and host are lower-cased, and the port defaults by scheme
     * (443 for {@code https}, else 80).
     *
     * @param uri an absolute request URI with a host
     * @return the key of the connections that may serve it
     */
    public static PoolKey of(URI uri) {
        return of(uri, Route.DIRECT);
    }

    /**
     * The key for a request URI reached through {@code route}; as {@link #of(URI)} otherwise.
     *
     * @param uri   an absolute request URI with a host
     * @param route how connections reach the origin
     * @return the key of the connections that may serve it
     */
    public static PoolKey of(URI uri, Route route) {
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        int port = uri.getPort();
        if (port == -1) {
            port = scheme.equals("https") ? 443 : 80;
        }
        return new PoolKey(scheme, uri.getHost().toLowerCase(Locale.ROOT), port, route);
    }

    /**
     * The same origin, reached through {@code route}.
     *
     * @param route how connections reach the origin
     * @return the key
     */
    public PoolKey withRoute(Route route) {
        return route.equals(this.route) ? this : new PoolKey(scheme, host, port, route);
    }

    /**
     * The origin alone, whatever the route.
     *
     * @return {@code scheme://host:port}
     */
    public String origin() {
        return scheme + "://" + host + ":" + port;
    }

    @Override
    public String toString() {
        return route.kind() == Route.Kind.DIRECT ? origin() : origin() + " via " + route;
    }
}
