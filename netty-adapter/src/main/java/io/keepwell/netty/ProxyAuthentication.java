package io.keepwell.netty;

import io.keepwell.http.ProxyException;
import io.keepwell.keepalive.ReplayableBodies;
import io.keepwell.netty.connect.RouteSelector;
import io.keepwell.netty.proxy.ProxyCredentials;
import io.keepwell.pool.Route;

import java.net.PasswordAuthentication;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Locale;
import java.util.Optional;

/**
 * Basic proxy authentication for {@code http} requests forwarded by an HTTP proxy (absolute form;
 * {@code CONNECT} tunnels answer their own {@code 407}s when they are opened). A request to such a
 * proxy carries {@code Proxy-Authorization} at once when credentials worked on its route before
 * (or came with the proxy's URL); a {@code 407} with {@code Proxy-Authenticate: Basic} is answered
 * with the credentials {@link ProxyCredentials} finds, sending the request again. A {@code 407}
 * that cannot be answered (no credentials, the same ones rejected again, no Basic challenge, a body
 * that cannot be sent again, too many attempts) fails the call with {@link ProxyException}: unlike
 * the JDK client, which returns the {@code 407} response, since the origin was never reached.
 */
final class ProxyAuthentication {

    private static final String HEADER = "Proxy-Authorization";

    /**
     * A request about to be sent and what it carries for its proxy.
     *
     * @param request the request to send, with the client's {@code Proxy-Authorization} if any
     * @param route   the proxy route that forwards it; null when it is not forwarded by an HTTP proxy
     * @param sent    the credentials the client put in {@code request}; null when none (the caller's own header, or none)
     */
    record Forwarding(HttpRequest request, Route route, PasswordAuthentication sent) {
    }

    private final RouteSelector routes;
    private final ProxyCredentials credentials;

    ProxyAuthentication(RouteSelector routes, ProxyCredentials credentials) {
        this.routes = routes;
        this.credentials = credentials;
    }

    /**
     * {@code request} as it goes to its route: with the credentials to send before any challenge,
     * if forwarded by an HTTP proxy and the caller set no {@code Proxy-Authorization}; without the
     * client's own {@code Proxy-Authorization} (from an earlier hop) if it is not forwarded.
     *
     * @param carried the credentials the client put in the request this one came from, or null
     */
    Forwarding prepare(HttpRequest request, PasswordAuthentication carried) {
        Route route = forwardedRoute(request);
        Optional<String> header = request.headers().firstValue(HEADER);
        boolean ours = carried != null && header.isPresent() && header.get().equals(ProxyCredentials.basicHeader(carried));
        if (route == null) {
            return new Forwarding(ours ? without(request) : request, null, null);
        }
        if (ours) {
            return new Forwarding(request, route, carried);
        }
        if (header.isPresent()) {
            return new Forwarding(request, route, null); // the caller's own: sent as it is, as the JDK does through a proxy
        }
        PasswordAuthentication preemptive = credentials.preemptive(route);
        return preemptive == null ? new Forwarding(request, route, null)
                : new Forwarding(with(request, preemptive), route, preemptive);
    }

    /** The HTTP proxy route that forwards {@code request}, or null (direct, a tunnel, SOCKS, a socket, a route that cannot be chosen). */
    private Route forwardedRoute(HttpRequest request) {
        if (!"http".equalsIgnoreCase(request.uri().getScheme())) {
            return null;
        }
        Route route;
        try {
            route = routes.select(request);
        } catch (IllegalArgumentException e) {
            return null; // the exchange selects again and fails the call with this
        }
        return route.kind() == Route.Kind.HTTP_PROXY ? route : null;
    }

    /** Records that the proxy accepted what {@code sent} carried, if it carried the client's credentials. */
    void accepted(Forwarding sent) {
        if (sent.sent() != null) {
            credentials.remember(sent.route(), sent.sent());
        }
    }

    /**
     * The answer to a {@code 407} for the forwarded request {@code sent}: the request to send
     * next, with the credentials it carries.
     *
     * @param attempts the {@code 407}s answered so far in this call
     * @throws ProxyException when the challenge cannot be answered
     */
    Forwarding answer(Forwarding sent, HttpResponse.ResponseInfo info, int attempts) throws ProxyException {
        if (sent.sent() != null) {
            credentials.forget(sent.route());
        }
        HttpRequest request = sent.request();
        if (attempts >= BasicAuthentication.MAX_ATTEMPTS) {
            throw refused(sent, "the credentials were refused " + attempts + " times");
        }
        if (request.bodyPublisher().isPresent() && !ReplayableBodies.canSendAgain(request.bodyPublisher().get())) {
            throw refused(sent, "the request's body cannot be sent again with credentials");
        }
        String realm = BasicAuthentication.basicRealm(info, "proxy-authenticate");
        if (realm == null) {
            throw refused(sent, "no Basic challenge to answer");
        }
        PasswordAuthentication found = credentials.find(sent.route(), request.uri(), "Basic", realm);
        if (found == null) {
            throw refused(sent, "no credentials to answer it (realm \"" + realm + "\")");
        }
        if (ProxyCredentials.same(found, sent.sent())) {
            throw refused(sent, "the credentials were refused");
        }
        return new Forwarding(with(without(request), found), sent.route(), found);
    }

    private static ProxyException refused(Forwarding sent, String why) {
        return new ProxyException(RouteSelector.proxyOf(sent.route()), 407, origin(sent.request().uri()),
                "407 Proxy Authentication Required to " + sent.request().method() + " " + sent.request().uri() + ": " + why);
    }

    private static String origin(URI uri) {
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        int port = uri.getPort() != -1 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
        return scheme + "://" + uri.getHost() + ":" + port;
    }

    private static HttpRequest with(HttpRequest request, PasswordAuthentication credentials) {
        return HttpRequest.newBuilder(request, (name, value) -> true).header(HEADER, ProxyCredentials.basicHeader(credentials)).build();
    }

    private static HttpRequest without(HttpRequest request) {
        return HttpRequest.newBuilder(request, (name, value) -> !name.equalsIgnoreCase(HEADER)).build();
    }
}
