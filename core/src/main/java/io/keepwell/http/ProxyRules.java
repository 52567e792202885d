package io.keepwell.http;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.PasswordAuthentication;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link ProxySelector} with bypass lists: an HTTP proxy for {@code http} URIs, one for
 * {@code https} URIs (which it tunnels with {@code CONNECT}), a SOCKS5 proxy for either scheme
 * that has no HTTP proxy, and a {@code NO_PROXY} list of hosts that go direct. Build one with
 * {@link #builder()}, or read the environment as Go's {@code net/http.ProxyFromEnvironment} does
 * with {@link #fromEnvironment()}; pass it to {@code HttpClient.Builder.proxy}.
 *
 * <p>The {@code NO_PROXY} list is read as Go's: comma-separated, surrounding spaces ignored, case
 * ignored; {@code *} bypasses every host; {@code example.com} matches {@code example.com} and
 * every subdomain, {@code .example.com} (or {@code *.example.com}) the subdomains only; an IP
 * address ({@code 192.0.2.1}, {@code ::1}) or a CIDR range ({@code 192.0.2.0/24},
 * {@code 2001:db8::/32}) matches URIs whose host is an address in it (never names: no name is
 * resolved to decide); {@code :port} after a name or address ({@code [::1]:8080} for IPv6)
 * restricts the entry to that port, the scheme's default counting as the URI's port. Entries that
 * cannot be read are ignored.
 *
 * <p>{@link #select} never returns an empty list: {@link Proxy#NO_PROXY} stands for direct.
 * {@link #connectFailed} does nothing: a proxy that does not answer fails the request rather than
 * being skipped.
 */
public final class ProxyRules extends ProxySelector {

    private static final List<Proxy> DIRECT = List.of(Proxy.NO_PROXY);

    /** A proxy's credentials, from its URL's userinfo. */
    private record Credentials(String host, int port, PasswordAuthentication credentials) {
    }

    private final Proxy http;     // null: none for http URIs
    private final Proxy https;    // null: none for https URIs
    private final Proxy socks;    // null: no fallback
    private final NoProxyList noProxy;
    private final boolean loopbackDirect; // the environment's rules: localhost and loopback addresses never proxied
    private final boolean cgi;            // REQUEST_METHOD was set: HTTP_PROXY is refused, as Go does
    private final List<Credentials> credentials;

    private ProxyRules(Proxy http, Proxy https, Proxy socks, NoProxyList noProxy, boolean loopbackDirect, boolean cgi,
                       List<Credentials> credentials) {
        this.http = http;
        this.https = https;
        this.socks = socks;
        this.noProxy = noProxy;
        this.loopbackDirect = loopbackDirect;
        this.cgi = cgi;
        this.credentials = credentials;
    }

    /**
     * A builder with no proxy and an empty bypass list.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The rules of this process's environment; see {@link #fromEnvironment(Map)}.
     *
     * @return the rules
     * @throws IllegalArgumentException if a variable names a proxy that cannot be used
     */
    public static ProxyRules fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    /**
     * The rules the variables {@code HTTP_PROXY}, {@code HTTPS_PROXY} and {@code NO_PROXY} say,
     * read as Go's {@code httpproxy.FromEnvironment}: each is looked up in upper case, then in
     * lower case ({@code http_proxy}...), an empty value counting as unset. {@code HTTP_PROXY} is
     * the proxy for {@code http} URIs, {@code HTTPS_PROXY} for {@code https} URIs (an HTTP proxy,
     * which tunnels them with {@code CONNECT}). A value is a URL ({@code http://proxy:3128},
     * {@code socks5://proxy:1080} for a SOCKS5 proxy) or {@code host[:port]}, taken as
     * {@code http://}; the default ports are 80 and 1080; {@code http://user:password@proxy:3128}
     * gives the proxy's credentials ({@link #credentials}). As in Go, requests to
     * {@code localhost} and to loopback addresses (127.0.0.0/8, {@code ::1}) always go direct, and
     * in a CGI process (where {@code REQUEST_METHOD} is set, so a request's {@code Proxy:} header
     * could have set {@code HTTP_PROXY}) {@link #select} refuses to use {@code HTTP_PROXY} for
     * {@code http} URIs, with an {@link IllegalStateException}. Unlike Go, a value that cannot be
     * used fails here instead of being ignored.
     *
     * @param env the variables, such as {@link System#getenv()}
     * @return the rules
     * @throws IllegalArgumentException if a variable names a proxy that cannot be used: an
     *                                  {@code https://} proxy (TLS to the proxy), another scheme,
     *                                  no host, or a port outside 1 to 65535
     */
    public static ProxyRules fromEnvironment(Map<String, String> env) {
        Objects.requireNonNull(env, "env");
        ProxyUrl http = proxyUrl(env, "HTTP_PROXY");
        ProxyUrl https = proxyUrl(env, "HTTPS_PROXY");
        String noProxy = variable(env, "NO_PROXY");
        List<Credentials> credentials = new ArrayList<>();
        for (ProxyUrl url : new ProxyUrl[] {http, https}) {
            if (url != null && url.credentials() != null) {
                InetSocketAddress address = (InetSocketAddress) url.proxy().address();
                credentials.add(new Credentials(address.getHostString(), address.getPort(), url.credentials()));
            }
        }
        String requestMethod = env.get("REQUEST_METHOD");
        return new ProxyRules(http == null ? null : http.proxy(), https == null ? null : https.proxy(), null,
                noProxy == null ? NoProxyList.EMPTY : NoProxyList.parse(noProxy), true,
                requestMethod != null && !requestMethod.isEmpty(), List.copyOf(credentials));
    }

    private static ProxyUrl proxyUrl(Map<String, String> env, String name) {
        String value = variable(env, name);
        return value == null ? null : ProxyUrl.parse(name, value);
    }

    /** The upper-case variable, else the lower-case one; null when both are unset or empty. */
    private static String variable(Map<String, String> env, String upperCaseName) {
        for (String name : new String[] {upperCaseName, upperCaseName.toLowerCase(Locale.ROOT)}) {
            String value = env.get(name);
            if (value != null && !value.isEmpty()) {
                return value;
            }
        }
        return null;
    }

    /**
     * The proxy for {@code uri}: the scheme's HTTP proxy, else the SOCKS proxy, unless the
     * bypass list names the URI's host; {@link Proxy#NO_PROXY} when the request goes direct (and
     * for schemes other than {@code http} and {@code https}).
     *
     * @param uri the request's URI
     * @return a list of one proxy, never empty
     * @throws IllegalArgumentException if {@code uri} is null
     * @throws IllegalStateException    in a CGI process, for an {@code http} URI when
     *                                  {@code HTTP_PROXY} is set (see {@link #fromEnvironment(Map)})
     */
    @Override
    public List<Proxy> select(URI uri) {
        if (uri == null) {
            throw new IllegalArgumentException("uri is null");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        Proxy chosen;
        String defaultPort;
        if (scheme.equals("http")) {
            if (cgi && http != null) {
                throw new IllegalStateException("refusing to use HTTP_PROXY in a CGI process (REQUEST_METHOD is set), where"
                        + " a request's Proxy header could have set it; see https://go.dev/s/cgihttpproxy");
            }
            chosen = http != null ? http : socks;
            defaultPort = "80";
        } else if (scheme.equals("https")) {
            chosen = https != null ? https : socks;
            defaultPort = "443";
        } else {
            return DIRECT;
        }
        if (chosen == null || bypasses(uri, defaultPort)) {
            return DIRECT;
        }
        return List.of(chosen);
    }

    private boolean bypasses(URI uri, String defaultPort) {
        String host = uri.getHost() == null ? "" : uri.getHost().trim().toLowerCase(Locale.ROOT);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int zone = host.indexOf('%');
        byte[] ip = IpLiteral.parse(zone < 0 ? host : host.substring(0, zone));
        if (loopbackDirect && (host.equals("localhost") || (ip != null && IpLiteral.isLoopback(ip)))) {
            return true;
        }
        String port = uri.getPort() == -1 ? defaultPort : Integer.toString(uri.getPort());
        return noProxy.bypasses(host, port, ip);
    }

    /**
     * Does nothing: the request that failed to connect fails, and the next one tries the same
     * proxy again.
     */
    @Override
    public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {
        // nothing to learn: these rules do not change with a proxy's health
    }

    /**
     * The credentials that came with a proxy's URL ({@code http://user:password@proxy:3128} in
     * {@code HTTP_PROXY} or {@code HTTPS_PROXY}), for the proxy at {@code proxy} (its host as
     * written, case ignored, and its port). The client sends them to that proxy before asking its
     * {@code Authenticator}.
     *
     * @param proxy the proxy's address, as {@link #select} gave it or with the same host and port
     * @return a copy of the credentials, or empty when the proxy's URL had none
     */
    public Optional<PasswordAuthentication> credentials(InetSocketAddress proxy) {
        Objects.requireNonNull(proxy, "proxy");
        for (Credentials c : credentials) {
            if (c.port() == proxy.getPort() && c.host().equalsIgnoreCase(proxy.getHostString())) {
                return Optional.of(new PasswordAuthentication(c.credentials().getUserName(), c.credentials().getPassword().clone()));
            }
        }
        return Optional.empty();
    }

    /** The rules: the proxies, whether they have credentials (never the credentials), and the bypass list. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("ProxyRules[");
        s.append("http=").append(describe(http)).append(", https=").append(describe(https));
        s.append(", socks=").append(describe(socks));
        s.append(", noProxy=").append(noProxy.isEmpty() ? "none" : noProxy.toString());
        if (loopbackDirect) {
            s.append(", localhost and loopback direct");
        }
        if (cgi && http != null) {
            s.append(", HTTP_PROXY refused (CGI)");
        }
        return s.append(']').toString();
    }

    private String describe(Proxy proxy) {
        if (proxy == null) {
            return "none";
        }
        InetSocketAddress address = (InetSocketAddress) proxy.address();
        String host = address.getHostString();
        String hostPort = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
        String kind = proxy.type() == Proxy.Type.SOCKS ? "socks5://" : "http://";
        return kind + hostPort + (credentials(address).isPresent() ? " (with credentials)" : "");
    }

    /** Builds {@link ProxyRules}; every setting is optional. */
    public static final class Builder {
        private Proxy http;
        private Proxy https;
        private Proxy socks;
        private NoProxyList noProxy = NoProxyList.EMPTY;

        private Builder() {
        }

        /**
         * The HTTP proxy for {@code http} URIs, which gets requests in absolute form.
         *
         * @param proxy its address; a name is resolved when a connection is opened if unresolved
         * @return this builder
         */
        public Builder http(InetSocketAddress proxy) {
            this.http = new Proxy(Proxy.Type.HTTP, Objects.requireNonNull(proxy, "proxy"));
            return this;
        }

        /**
         * The HTTP proxy for {@code https} URIs, which tunnels them with {@code CONNECT} (TLS to
         * the origin inside the tunnel).
         *
         * @param proxy its address
         * @return this builder
         */
        public Builder https(InetSocketAddress proxy) {
            this.https = new Proxy(Proxy.Type.HTTP, Objects.requireNonNull(proxy, "proxy"));
            return this;
        }

        /**
         * The SOCKS5 proxy for {@code http} and {@code https} URIs whose scheme has no HTTP proxy
         * set here.
         *
         * @param proxy its address
         * @return this builder
         */
        public Builder socks(InetSocketAddress proxy) {
            this.socks = new Proxy(Proxy.Type.SOCKS, Objects.requireNonNull(proxy, "proxy"));
            return this;
        }

        /**
         * Adds hosts that go direct, as a {@code NO_PROXY} value (see {@link ProxyRules}):
         * {@code "localhost,127.0.0.0/8,.internal.example"}. Loopback addresses and
         * {@code localhost} are proxied unless listed, unlike {@link ProxyRules#fromEnvironment}.
         *
         * @param commaSeparated the entries
         * @return this builder
         */
        public Builder noProxy(String commaSeparated) {
            this.noProxy = noProxy.and(NoProxyList.parse(Objects.requireNonNull(commaSeparated, "commaSeparated")));
            return this;
        }

        /**
         * Adds hosts that go direct, one {@code NO_PROXY} entry each.
         *
         * @param entries the entries
         * @return this builder
         */
        public Builder noProxy(List<String> entries) {
            return noProxy(String.join(",", List.copyOf(entries)));
        }

        /**
         * The rules.
         *
         * @return the rules set so far
         */
        public ProxyRules build() {
            return new ProxyRules(http, https, socks, noProxy, false, false, List.of());
        }
    }
}
