package io.keepwell.netty;

import io.keepwell.http.KeepwellBodyHandlers;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Follows the responses that lead to another request: redirects ({@link Redirects}) and Basic
 * authentication challenges ({@link BasicAuthentication}), as {@code java.net.http} does. Such a
 * response's body is dropped (drained if small, else its connection is closed), the next hop is a
 * new request, and the caller's body handler only ever sees the final response, whose
 * {@code previousResponse()} chain holds the ones before it (with no body). After
 * {@code maxRedirects} redirects the next redirect is the response, as in the JDK (a loop ends
 * with a 3xx, not an error); a challenge still answered after
 * {@link BasicAuthentication#MAX_ATTEMPTS} tries fails the call, as in the JDK.
 */
final class HopFollower {

    /** One attempt, without following. */
    interface Sender {
        <T> CompletableFuture<HttpResponse<T>> send(HttpRequest request, HttpResponse.BodyHandler<T> handler);

        /** A future of the kind the client returns. */
        <T> CompletableFuture<T> newFuture();
    }

    /** The body value of a response that will be followed: the next request, and whether it answers a challenge. */
    private record NextHop(HttpRequest request, boolean authenticates) {
    }

    /** The body value of a challenge answered {@link BasicAuthentication#MAX_ATTEMPTS} times already. */
    private static final Object TOO_MANY_ATTEMPTS = new Object();

    private final Sender sender;
    private final Redirects redirects;         // null when redirects are not followed
    private final int maxRedirects;
    private final BasicAuthentication authentication; // null without an authenticator

    HopFollower(Sender sender, Redirects redirects, int maxRedirects, BasicAuthentication authentication) {
        this.sender = sender;
        this.redirects = redirects;
        this.maxRedirects = maxRedirects;
        this.authentication = authentication;
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
        hop(request, handler, 0, 0, null, result, currentHop);
        return result;
    }

    @SuppressWarnings("unchecked")
    private <T> void hop(HttpRequest request, HttpResponse.BodyHandler<T> handler, int redirected, int authenticated,
                         HttpResponse<T> previous, CompletableFuture<HttpResponse<T>> result, CompletableFuture<?>[] currentHop) {
        HttpResponse.BodyHandler<Object> maybeFollow = info -> {
            Object follow = next(request, info, redirected, authenticated);
            return follow != null ? KeepwellBodyHandlers.replacing(follow).apply(info)
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
            } else if (response.body() == TOO_MANY_ATTEMPTS) {
                result.completeExceptionally(new java.io.IOException("too many authentication attempts (limit "
                        + BasicAuthentication.MAX_ATTEMPTS + ") for " + request.method() + " " + request.uri()));
            } else if (response.body() instanceof NextHop next) {
                if (!result.isDone()) {
                    try {
                        hop(next.request(), handler, next.authenticates() ? redirected : redirected + 1,
                                next.authenticates() ? authenticated + 1 : authenticated,
                                new Hop<>(response, null, previous), result, currentHop);
                    } catch (RuntimeException e) {
                        result.completeExceptionally(e); // thrown in this callback, it would be lost and the call never end
                    }
                }
            } else {
                HttpResponse<T> last = (HttpResponse<T>) response;
                result.complete(previous == null ? last : new Hop<>(last, last.body(), previous));
            }
        });
    }

    /** What the response leads to: a {@link NextHop}, {@link #TOO_MANY_ATTEMPTS}, or {@code null} (it is the response). */
    private Object next(HttpRequest request, HttpResponse.ResponseInfo info, int redirected, int authenticated) {
        if (redirects != null && redirected < maxRedirects) {
            HttpRequest next = redirects.next(request, info);
            if (next != null) {
                return new NextHop(sameSocket(request, next), false);
            }
        }
        if (authentication != null && authentication.isChallenge(info)) {
            if (authenticated >= BasicAuthentication.MAX_ATTEMPTS) {
                return TOO_MANY_ATTEMPTS;
            }
            HttpRequest next = authentication.next(request, info);
            if (next != null) {
                return new NextHop(sameSocket(request, next), true);
            }
        }
        return null;
    }

    /** A request sent over its own Unix socket keeps it for a next hop to the same origin, and leaves it for another. */
    private static HttpRequest sameSocket(HttpRequest request, HttpRequest next) {
        if (request instanceof io.keepwell.netty.connect.UnixSocketRequest onSocket
                && io.keepwell.pool.PoolKey.of(request.uri()).equals(io.keepwell.pool.PoolKey.of(next.uri()))) {
            return new io.keepwell.netty.connect.UnixSocketRequest(next, onSocket.socket());
        }
        return next;
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
