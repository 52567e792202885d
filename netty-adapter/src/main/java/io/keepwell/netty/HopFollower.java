package io.keepwell.netty;

import io.keepwell.http.KeepwellBodyHandlers;
import io.keepwell.http.ProxyException;

import java.io.IOException;
import java.net.PasswordAuthentication;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Follows the responses that lead to another request: redirects ({@link Redirects}), Basic
 * authentication challenges ({@link BasicAuthentication}), as {@code java.net.http} does, and the
 * {@code 407}s of HTTP proxies that forward {@code http} requests ({@link ProxyAuthentication}). Such a
 * response's body is dropped (drained if small, else its connection is closed), the next hop is a
 * new request, and the caller's body handler only ever sees the final response, whose
 * {@code previousResponse()} chain holds the ones before it (with no body). After
 * {@code maxRedirects} redirects the next redirect is the response, as in the JDK (a loop ends
 * with a 3xx, not an error); a challenge still answered after
 * {@link BasicAuthentication#MAX_ATTEMPTS} tries fails the call, as in the JDK; a proxy's
 * {@code 407} that cannot be answered fails it with {@link ProxyException}.
 */
final class HopFollower {

    /** One attempt, without following. */
    interface Sender {
        <T> CompletableFuture<HttpResponse<T>> send(HttpRequest request, HttpResponse.BodyHandler<T> handler);

        /** A future of the kind the client returns. */
        <T> CompletableFuture<T> newFuture();
    }

    /** What a followed response leads to. */
    private enum Kind { REDIRECT, AUTHENTICATION, PROXY_AUTHENTICATION }

    /**
     * The body value of a response that will be followed: the next request, what it answers, and
     * the proxy credentials the client put in it (null for none).
     */
    private record NextHop(HttpRequest request, Kind kind, PasswordAuthentication proxyCredentials) {
    }

    /** The body value of a response that ends the call with {@code error}. */
    private record Failure(IOException error) {
    }

    /** How many of each kind of hop a call has taken. */
    private record Counts(int redirected, int authenticated, int proxyAuthenticated) {
        Counts after(Kind kind) {
            return switch (kind) {
                case REDIRECT -> new Counts(redirected + 1, authenticated, proxyAuthenticated);
                case AUTHENTICATION -> new Counts(redirected, authenticated + 1, proxyAuthenticated);
                case PROXY_AUTHENTICATION -> new Counts(redirected, authenticated, proxyAuthenticated + 1);
            };
        }
    }

    private final Sender sender;
    private final Redirects redirects;         // null when redirects are not followed
    private final int maxRedirects;
    private final BasicAuthentication authentication; // null without an authenticator
    private final ProxyAuthentication proxyAuthentication; // null without a proxy selector

    HopFollower(Sender sender, Redirects redirects, int maxRedirects, BasicAuthentication authentication,
                ProxyAuthentication proxyAuthentication) {
        this.sender = sender;
        this.redirects = redirects;
        this.maxRedirects = maxRedirects;
        this.authentication = authentication;
        this.proxyAuthentication = proxyAuthentication;
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
        hop(request, null, handler, new Counts(0, 0, 0), null, result, currentHop);
        return result;
    }

    /** Sends {@code request}, which carries the proxy credentials {@code proxyCredentials} the client put in it (or none). */
    @SuppressWarnings("unchecked")
    private <T> void hop(HttpRequest request, PasswordAuthentication proxyCredentials, HttpResponse.BodyHandler<T> handler,
                         Counts counts, HttpResponse<T> previous, CompletableFuture<HttpResponse<T>> result,
                         CompletableFuture<?>[] currentHop) {
        ProxyAuthentication.Forwarding forwarding = proxyAuthentication == null ? null
                : proxyAuthentication.prepare(request, proxyCredentials);
        HttpRequest sent = forwarding == null ? request : forwarding.request();
        HttpResponse.BodyHandler<Object> maybeFollow = info -> {
            Object follow = next(sent, forwarding, info, counts);
            return follow != null ? KeepwellBodyHandlers.replacing(follow).apply(info)
                    : (HttpResponse.BodySubscriber<Object>) handler.apply(info);
        };
        CompletableFuture<HttpResponse<Object>> attempt = sender.send(sent, maybeFollow);
        currentHop[0] = attempt;
        if (result.isCancelled()) {
            attempt.cancel(true);
        }
        attempt.whenComplete((response, error) -> {
            if (error != null) {
                result.completeExceptionally(error);
            } else if (response.body() instanceof Failure failure) {
                result.completeExceptionally(failure.error());
            } else if (response.body() instanceof NextHop next) {
                if (!result.isDone()) {
                    try {
                        hop(next.request(), next.proxyCredentials(), handler, counts.after(next.kind()),
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

    /** What the response leads to: a {@link NextHop}, a {@link Failure}, or {@code null} (it is the response). */
    private Object next(HttpRequest request, ProxyAuthentication.Forwarding forwarding, HttpResponse.ResponseInfo info,
                        Counts counts) {
        PasswordAuthentication proxyCredentials = null;
        if (forwarding != null && forwarding.route() != null) {
            if (info.statusCode() == 407) {
                try {
                    ProxyAuthentication.Forwarding answer = proxyAuthentication.answer(forwarding, info, counts.proxyAuthenticated());
                    return new NextHop(answer.request(), Kind.PROXY_AUTHENTICATION, answer.sent());
                } catch (ProxyException refused) {
                    return new Failure(refused);
                }
            }
            proxyAuthentication.accepted(forwarding);
            proxyCredentials = forwarding.sent();
        }
        if (redirects != null && counts.redirected() < maxRedirects) {
            HttpRequest next = redirects.next(request, info);
            if (next != null) {
                return new NextHop(sameSocket(request, next), Kind.REDIRECT, proxyCredentials);
            }
        }
        if (authentication != null && authentication.isChallenge(info)) {
            if (counts.authenticated() >= BasicAuthentication.MAX_ATTEMPTS) {
                return new Failure(new IOException("too many authentication attempts (limit "
                        + BasicAuthentication.MAX_ATTEMPTS + ") for " + request.method() + " " + request.uri()));
            }
            HttpRequest next = authentication.next(request, info);
            if (next != null) {
                return new NextHop(sameSocket(request, next), Kind.AUTHENTICATION, proxyCredentials);
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
