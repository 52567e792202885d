package io.keepwell.netty.proxy;

import io.keepwell.pool.Route;

import java.net.Authenticator;
import java.net.PasswordAuthentication;
import java.net.ProxySelector;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Where proxy credentials come from: the client's authenticator, asked with requestor type PROXY. */
public final class ProxyCredentials {

    private final Authenticator authenticator; // null: none
    private final Map<Route, PasswordAuthentication> worked = new ConcurrentHashMap<>();

    public ProxyCredentials(Authenticator authenticator, ProxySelector selector) {
        this.authenticator = authenticator;
    }

    /** Credentials for {@code route}'s proxy, for {@code scheme} ("Basic", "SOCKS5"); null when none. */
    public PasswordAuthentication find(Route route, URI uri, String scheme, String realm) {
        if (authenticator == null) {
            return null;
        }
        String protocol = route.kind() == Route.Kind.SOCKS_PROXY ? "SOCKS5" : "http";
        java.net.URL url;
        try {
            url = uri.toURL();
        } catch (java.net.MalformedURLException | IllegalArgumentException e) {
            url = null;
        }
        return authenticator.requestPasswordAuthenticationInstance(route.host(), null, route.port(), protocol, realm,
                scheme, url, Authenticator.RequestorType.PROXY);
    }

    public PasswordAuthentication cached(Route route) {
        return worked.get(route);
    }

    public void remember(Route route, PasswordAuthentication credentials) {
        worked.put(route, credentials);
    }

    public void forget(Route route) {
        worked.remove(route);
    }

    public static String basicHeader(PasswordAuthentication credentials) {
        String pair = credentials.getUserName() + ":" + new String(credentials.getPassword());
        return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    }
}
