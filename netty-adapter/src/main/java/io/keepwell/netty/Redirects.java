package io.keepwell.netty;

import io.keepwell.keepalive.ReplayableBodies;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Locale;
import java.util.Set;

/**
 * Which redirects are followed, and how, the way {@code java.net.http} does:
 *
 * <ul>
 *   <li>301, 302: a POST becomes a GET without body; other methods stay;</li>
 *   <li>303: the next request is a GET without body (HEAD stays HEAD);</li>
 *   <li>307, 308: same method and body, followed only if the body can be sent again;</li>
 *   <li>{@code Authorization}, {@code Proxy-Authorization} and {@code Cookie} are dropped when
 *       the next hop goes to another origin;</li>
 *   <li>under {@link HttpClient.Redirect#NORMAL}, https to http is not followed: the caller gets
 *       the redirect response itself.</li>
 * </ul>
 */
final class Redirects {

    private static final Set<String> CREDENTIALS = Set.of("authorization", "proxy-authorization", "cookie");

    private final HttpClient.Redirect policy;

    Redirects(HttpClient.Redirect policy) {
        this.policy = policy;
    }

    /** The request a redirect leads to, or {@code null} if it is not to be followed. */
    HttpRequest next(HttpRequest request, HttpResponse.ResponseInfo info) {
        int status = info.statusCode();
        if (policy == HttpClient.Redirect.NEVER || !isRedirect(status)) {
            return null;
        }
        String location = info.headers().firstValue("location").orElse(null);
        if (location == null) {
            return null;
        }
        URI target;
        try {
            target = request.uri().resolve(location.trim());
        } catch (IllegalArgumentException malformed) {
            return null;
        }
        String scheme = target.getScheme() == null ? "" : target.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || target.getHost() == null) {
            return null;
        }
        if (policy == HttpClient.Redirect.NORMAL && scheme.equals("http")
                && request.uri().getScheme().equalsIgnoreCase("https")) {
            return null;
        }
        String method = request.method();
        boolean toGet = status == 303 ? !method.equals("HEAD") : (status == 301 || status == 302) && method.equals("POST");
        if (!toGet && request.bodyPublisher().isPresent() && !ReplayableBodies.canSendAgain(request.bodyPublisher().get())) {
            return null;
        }
        boolean sameOrigin = sameOrigin(request.uri(), target);
        HttpRequest.Builder next = HttpRequest.newBuilder(request,
                (name, value) -> sameOrigin || !CREDENTIALS.contains(name.toLowerCase(Locale.ROOT)));
        next.uri(stripFragment(target));
        if (toGet) {
            next.GET();
        }
        return next.build();
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    private static URI stripFragment(URI uri) {
        if (uri.getRawFragment() == null) {
            return uri;
        }
        String s = uri.toString();
        return URI.create(s.substring(0, s.indexOf('#')));
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost().equalsIgnoreCase(b.getHost())
                && port(a) == port(b);
    }

    private static int port(URI uri) {
        if (uri.getPort() != -1) {
            return uri.getPort();
        }
        return uri.getScheme().equalsIgnoreCase("https") ? 443 : 80;
    }

}
