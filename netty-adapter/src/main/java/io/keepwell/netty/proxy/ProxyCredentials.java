package io.keepwell.netty.proxy;

import io.keepwell.http.ProxyRules;
import io.keepwell.pool.Route;

import java.net.Authenticator;
import java.net.InetSocketAddress;
import java.net.MalformedURLException;
import java.net.PasswordAuthentication;
import java.net.ProxySelector;
import java.net.URI;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where a proxy's credentials come from: those of its URL when the client's selector is a
 * {@link ProxyRules} read from the environment ({@code http://user:password@proxy:3128}), else the
 * client's {@link Authenticator}, asked with requestor type {@code PROXY}. It also remembers, per
 * route, the credentials that last worked, so that later tunnels and forwarded requests send them
 * at once (as the JDK client does after a first success) instead of waiting for a {@code 407}.
 * Thread-safe; nothing here blocks but the authenticator's own call.
 */
public final class ProxyCredentials {

    private final Authenticator authenticator; // null: none
    private final ProxyRules rules;            // null: the selector is not one
    private final Map<Route, PasswordAuthentication> worked = new ConcurrentHashMap<>();

    /**
     * Credentials from {@code selector}'s proxy URLs, then from {@code authenticator}.
     *
     * @param authenticator the client's authenticator, or null
     * @param selector      the client's proxy selector, or null
     */
    public ProxyCredentials(Authenticator authenticator, ProxySelector selector) {
        this.authenticator = authenticator;
        this.rules = selector instanceof ProxyRules proxyRules ? proxyRules : null;
    }

    /**
     * The credentials to answer {@code route}'s proxy with: its URL's, else the authenticator's
     * (host and port the proxy's, protocol {@code "http"} for an HTTP proxy and {@code "SOCKS5"}
     * for a SOCKS one, the URL the request's).
     *
     * @param route  a proxy route
     * @param uri    the request's URI
     * @param scheme the authentication scheme, such as {@code "Basic"}, or {@code "SOCKS5"}
     * @param realm  the challenge's realm, or null
     * @return the credentials, or null when there are none
     * @throws IllegalArgumentException if {@code route} is not a proxy route
     */
    public PasswordAuthentication find(Route route, URI uri, String scheme, String realm) {
        if (!route.isProxy()) {
            throw new IllegalArgumentException("not a proxy route: " + route);
        }
        PasswordAuthentication configured = configured(route);
        if (configured != null || authenticator == null) {
            return configured;
        }
        String protocol = route.kind() == Route.Kind.SOCKS_PROXY ? "SOCKS5" : "http";
        return authenticator.requestPasswordAuthenticationInstance(route.host(), null, route.port(), protocol, realm, scheme,
                url(uri), Authenticator.RequestorType.PROXY);
    }

    /**
     * What to send before any challenge: the credentials that last worked on {@code route}, else
     * its proxy URL's (as Go sends a proxy URL's credentials at once); never the authenticator's,
     * which is asked only when the proxy asks, as in the JDK.
     *
     * @param route a proxy route
     * @return the credentials, or null
     */
    public PasswordAuthentication preemptive(Route route) {
        PasswordAuthentication cached = cached(route);
        return cached != null ? cached : configured(route);
    }

    private PasswordAuthentication configured(Route route) {
        return rules == null ? null
                : rules.credentials(InetSocketAddress.createUnresolved(route.host(), route.port())).orElse(null);
    }

    private static URL url(URI uri) {
        try {
            return uri == null ? null : uri.toURL();
        } catch (MalformedURLException | IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * The credentials that last worked on {@code route}.
     *
     * @param route a proxy route
     * @return the credentials, or null
     */
    public PasswordAuthentication cached(Route route) {
        return worked.get(route);
    }

    /**
     * Keeps {@code credentials} as those that work on {@code route}: the proxy accepted them.
     *
     * @param route       a proxy route
     * @param credentials what it accepted
     */
    public void remember(Route route, PasswordAuthentication credentials) {
        worked.put(route, Objects.requireNonNull(credentials, "credentials"));
    }

    /**
     * Drops {@code route}'s credentials: the proxy rejected them with a {@code 407}.
     *
     * @param route a proxy route
     */
    public void forget(Route route) {
        worked.remove(route);
    }

    /**
     * The {@code Proxy-Authorization} (or {@code Authorization}) value for {@code credentials}:
     * {@code Basic} and the Base64 of {@code user:password} in UTF-8 (RFC 7617).
     *
     * @param credentials the credentials
     * @return the header value
     */
    public static String basicHeader(PasswordAuthentication credentials) {
        char[] password = credentials.getPassword();
        CharBuffer pair = CharBuffer.allocate(credentials.getUserName().length() + 1 + password.length);
        pair.put(credentials.getUserName()).put(':').put(password).flip();
        ByteBuffer utf8 = StandardCharsets.UTF_8.encode(pair);
        byte[] bytes = new byte[utf8.remaining()];
        utf8.get(bytes);
        try {
            return "Basic " + Base64.getEncoder().encodeToString(bytes);
        } finally {
            Arrays.fill(bytes, (byte) 0);
            Arrays.fill(pair.array(), '\0');
            if (utf8.hasArray()) {
                Arrays.fill(utf8.array(), (byte) 0);
            }
        }
    }

    /**
     * Whether two credentials are the same user and password.
     *
     * @param a credentials, or null
     * @param b credentials, or null
     * @return true when both are null or both say the same
     */
    public static boolean same(PasswordAuthentication a, PasswordAuthentication b) {
        if (a == null || b == null) {
            return a == b;
        }
        return a.getUserName().equals(b.getUserName()) && Arrays.equals(a.getPassword(), b.getPassword());
    }
}
