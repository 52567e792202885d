package io.keepwell.pool;

import java.util.Locale;
import java.util.Objects;

/**
 * How connections of a pool key reach their origin: directly, through an HTTP proxy (absolute-form
 * requests for {@code http}, a {@code CONNECT} tunnel for {@code https}), through a SOCKS5 proxy,
 * or over a Unix domain socket. Part of the {@link PoolKey}, so connections of different routes
 * never serve each other's requests. Names only: the proxy's host is resolved when a connection
 * is opened, never here.
 *
 * @param kind the way through; not {@code null}
 * @param host the proxy's host, as given; empty for {@link Kind#DIRECT} and {@link Kind#UNIX_SOCKET}
 * @param port the proxy's port; 0 for {@link Kind#DIRECT} and {@link Kind#UNIX_SOCKET}
 * @param path the socket file's path; empty unless {@link Kind#UNIX_SOCKET}
 */
public record Route(Kind kind, String host, int port, String path) {

    /** The way a route reaches the origin. */
    public enum Kind {
        /** A TCP connection to the origin's own addresses. */
        DIRECT,
        /** Through an HTTP proxy. */
        HTTP_PROXY,
        /** Through a SOCKS5 proxy. */
        SOCKS_PROXY,
        /** Over a Unix domain socket, a file path; {@code http} only. */
        UNIX_SOCKET
    }

    /** Straight to the origin. */
    public static final Route DIRECT = new Route(Kind.DIRECT, "", 0, "");

    /**
     * Checks that the fields fit the kind.
     *
     * @param kind the way through; not {@code null}
     * @param host the proxy's host, or empty
     * @param port the proxy's port, or 0
     * @param path the socket path, or empty
     * @throws IllegalArgumentException if a field does not fit {@code kind}
     */
    public Route {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(path, "path");
        boolean proxy = kind == Kind.HTTP_PROXY || kind == Kind.SOCKS_PROXY;
        if (proxy != !host.isEmpty() || proxy != (port != 0) || (kind == Kind.UNIX_SOCKET) == path.isEmpty()) {
            throw new IllegalArgumentException("fields do not fit a " + kind + " route: host '" + host + "', port " + port
                    + ", path '" + path + "'");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    /**
     * Through the HTTP proxy at {@code host:port}.
     *
     * @param host the proxy's host name or address literal; lower-cased
     * @param port its port, 1 to 65535
     * @return the route
     */
    public static Route httpProxy(String host, int port) {
        return new Route(Kind.HTTP_PROXY, host.toLowerCase(Locale.ROOT), requirePort(port), "");
    }

    /**
     * Through the SOCKS5 proxy at {@code host:port}.
     *
     * @param host the proxy's host name or address literal; lower-cased
     * @param port its port, 1 to 65535
     * @return the route
     */
    public static Route socksProxy(String host, int port) {
        return new Route(Kind.SOCKS_PROXY, host.toLowerCase(Locale.ROOT), requirePort(port), "");
    }

    /**
     * Over the Unix domain socket at {@code path}.
     *
     * @param path the socket file's path, as given
     * @return the route
     */
    public static Route unixSocket(String path) {
        return new Route(Kind.UNIX_SOCKET, "", 0, path);
    }

    private static int requirePort(int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        return port;
    }

    /** @return whether this is a proxy route, HTTP or SOCKS */
    public boolean isProxy() {
        return kind == Kind.HTTP_PROXY || kind == Kind.SOCKS_PROXY;
    }

    @Override
    public String toString() {
        return switch (kind) {
            case DIRECT -> "direct";
            case HTTP_PROXY -> "http proxy " + hostPort();
            case SOCKS_PROXY -> "socks proxy " + hostPort();
            case UNIX_SOCKET -> "unix socket " + path;
        };
    }

    private String hostPort() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
