package io.keepwell.netty.connect;

import io.keepwell.pool.Route;

import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.List;

/**
 * Chooses each request's {@link Route}: its own Unix socket, the client's Unix socket (for
 * {@code http}), the first proxy the client's {@link ProxySelector} gives, or direct.
 */
public final class RouteSelector {

    private final ProxySelector proxies;   // null: none
    private final Path unixSocket;         // null: none

    public RouteSelector(ProxySelector proxies, Path unixSocket) {
        this.proxies = proxies == java.net.http.HttpClient.Builder.NO_PROXY ? null : proxies;
        this.unixSocket = unixSocket;
    }

    private static final java.util.List<String> PROXY_PROPERTIES = java.util.List.of("http.proxyHost", "https.proxyHost",
            "socksProxyHost", "java.net.useSystemProxies");

    /**
     * The system's default selector, as the JDK client takes it; null when it is the JDK's own
     * with none of its properties set, which would answer DIRECT to every request.
     */
    public static ProxySelector systemDefault() {
        ProxySelector selector = ProxySelector.getDefault();
        if (selector == null) {
            return null;
        }
        if (selector.getClass().getName().equals("sun.net.spi.DefaultProxySelector")
                && PROXY_PROPERTIES.stream().allMatch(p -> System.getProperty(p) == null || System.getProperty(p).isBlank()
                || (p.equals("java.net.useSystemProxies") && !Boolean.parseBoolean(System.getProperty(p))))) {
            return null;
        }
        return selector;
    }

    /** The selector, or null when every request goes direct. */
    public ProxySelector proxies() {
        return proxies;
    }

    /**
     * The route of {@code request}.
     *
     * @throws IllegalArgumentException if the selector failed or gave a proxy that is not usable
     */
    public Route select(HttpRequest request) {
        if (request instanceof UnixSocketRequest onSocket) {
            return Route.unixSocket(onSocket.socket().toString());
        }
        URI uri = request.uri();
        if (unixSocket != null && "http".equalsIgnoreCase(uri.getScheme())) {
            return Route.unixSocket(unixSocket.toString());
        }
        if (proxies == null) {
            return Route.DIRECT;
        }
        List<Proxy> chosen;
        try {
            chosen = proxies.select(uri);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("the proxy selector failed for " + uri + ": " + e, e);
        }
        if (chosen == null || chosen.isEmpty() || chosen.get(0) == null || chosen.get(0).type() == Proxy.Type.DIRECT) {
            return Route.DIRECT;
        }
        Proxy proxy = chosen.get(0);
        if (!(proxy.address() instanceof InetSocketAddress address)) {
            throw new IllegalArgumentException("not an internet proxy address: " + proxy);
        }
        return proxy.type() == Proxy.Type.SOCKS
                ? Route.socksProxy(address.getHostString(), address.getPort())
                : Route.httpProxy(address.getHostString(), address.getPort());
    }

    /** The {@link Proxy} a proxy route stands for, its address unresolved; for errors and the selector's callbacks. */
    public static Proxy proxyOf(Route route) {
        Proxy.Type type = route.kind() == Route.Kind.SOCKS_PROXY ? Proxy.Type.SOCKS : Proxy.Type.HTTP;
        return new Proxy(type, InetSocketAddress.createUnresolved(route.host(), route.port()));
    }
}
