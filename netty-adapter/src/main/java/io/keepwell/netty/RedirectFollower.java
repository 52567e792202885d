package io.keepwell.netty;

import io.keepwell.http.KeepwellBodyHandlers;
import io.keepwell.keepalive.ReplayableBodies;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Follows redirects the way {@code java.net.http} does. A redirect's body is dropped (drained if
 * small, else its connection is closed), the next hop is a new request, and the caller's body
 * handler only ever sees the final response, whose {@code previousResponse()} chain holds the
 * redirects (with no body).
 *
 * <ul>
 *   <li>301, 302: a POST becomes a GET without body; other methods stay;</li>
 *   <li>303: the next request is a GET without body (HEAD stays HEAD);</li>
 *   <li>307, 308: same method and body, followed only if the body can be sent again;</li>
 *   <li>{@code Authorization}, {@code Proxy-Authorization} and {@code Cookie} are dropped when
 *       the next hop goes to another origin;</li>
 *   <li>under {@link HttpClient.Redirect#NORMAL}, https to http is not followed: the caller gets
 *       the redirect response itself;</li>
 *   <li>after {@code maxRedirects} hops the next redirect is the response, as in the JDK (a
 *       loop ends with a 3xx, not an error).</li>
 * </ul>
 */
final class RedirectFollower {

    private static final Set<String> CREDENTIALS = Set.of("authorization", "proxy-authorization", "cookie");

    /** One attempt, without following. */
    interface Sender {
        <T> CompletableFuture<HttpResponse<T>> send(HttpRequest request, HttpResponse.BodyHandler<T> handler);

        /** A future of the kind the client returns. */
        <T> CompletableFuture<T> newFuture();
    }

    /** The body value of a redirect that will be followed: the next request. */
    private record NextHop(HttpRequest request) {
    }

    private final Sender sender;
    private final HttpClient.Redirect policy;
    private final int maxRedirects;

    RedirectFollower(Sender sender, HttpClient.Redirect policy, int maxRedirects) {
        this.sender = sender;
        this.policy = policy;
        this.maxRedirects = maxRedirects;
    }

    <T> CompletableFuture<HttpResponse<T>> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        CompletableFuture<HttpResponse<T>> result = sender.newFuture();
        CompletableFuture<?>[] currentHop = new CompletableFuture<?>[1];
        result.whenComplete((r, e) -> {
            CompletableFuture<?> hop = currentHop[0];
            if (result.isCancelled() && hop != null) {
                hop.cancel(true);
            }
        });
        hop(request, handler, 0, null, result, currentHop);
        return result;
    }

    @SuppressWarnings("unchecked")
    private <T> void hop(HttpRequest request, HttpResponse.BodyHandler<T> handler, int hops, HttpResponse<T> previous,
                         CompletableFuture<HttpResponse<T>> result, CompletableFuture<?>[] currentHop) {
        HttpResponse.BodyHandler<Object> maybeFollow = info -> {
            HttpRequest next = hops < maxRedirects ? nextRequest(request, info) : null;
            return next != null ? KeepwellBodyHandlers.replacing((Object) new NextHop(next)).apply(info)
                    : (HttpResponse.BodySubscriber<Object>) handler.apply(info);
        };
        CompletableFuture<HttpResponse<Object>> attempt = sender.send(request, maybeFollow);
        currentHop[0] = attempt;
        if (result.isCancelled()) {
            attempt.cancel(true);
        }
        attempt.whenComplete((response, error) -> {
            if (error != null) {
                result.completeExceptionally(error);
            } else if (response.body() instanceof NextHop next) {
                if (!result.isDone()) {
                    hop(next.request(), handler, hops + 1, new Hop<>((HttpResponse<Object>) response, null, previous),
                            result, currentHop);
                }
            } else {
                HttpResponse<T> last = (HttpResponse<T>) response;
                result.complete(previous == null ? last : new Hop<>(last, last.body(), previous));
            }
        });
    }

    /** The request a redirect leads to, or {@code null} if it is not to be followed. */
    HttpRequest nextRequest(HttpRequest request, HttpResponse.ResponseInfo info) {
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

    /** A response of a chain: a hop's, with the body given and the hop before it. */
    private record Hop<T>(HttpResponse<?> response, T body, HttpResponse<T> previous) implements HttpResponse<T> {

        @Override
        public int statusCode() {
            return response.statusCode();
        }

        @Override
        public HttpRequest request() {
            return response.request();
        }

        @Override
        public Optional<HttpResponse<T>> previousResponse() {
            return Optional.ofNullable(previous);
        }

        @Override
        public java.net.http.HttpHeaders headers() {
            return response.headers();
        }

        @Override
        public Optional<javax.net.ssl.SSLSession> sslSession() {
            return response.sslSession();
        }

        @Override
        public URI uri() {
            return response.uri();
        }

        @Override
        public HttpClient.Version version() {
            return response.version();
        }
    }
}
