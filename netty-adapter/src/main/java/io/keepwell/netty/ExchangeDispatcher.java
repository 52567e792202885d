package io.keepwell.netty;

import io.keepwell.http.ClientClosedException;
import io.keepwell.http.HttpTimeoutException;
import io.keepwell.http.PrematureCloseException;
import io.keepwell.http.RequestListener;
import io.keepwell.keepalive.RetryPolicy;
import io.keepwell.netty.handler.ConnectionContext;
import io.keepwell.netty.handler.Exchange;
import io.keepwell.netty.handler.ExchangeReader;
import io.keepwell.netty.handler.PipelineInitializer;
import io.keepwell.netty.http2.Http2ConnectionGuard;
import io.keepwell.http.StreamResetException;
import io.keepwell.netty.connect.RouteSelector;
import io.keepwell.netty.pool.ChannelPools;
import io.keepwell.netty.pool.ConnectFailure;
import io.keepwell.netty.pool.HostChannelPool;
import io.keepwell.netty.transport.EventLoops;
import io.keepwell.pool.CloseReason;
import io.keepwell.pool.PoolKey;
import io.keepwell.pool.PoolStats;
import io.netty.channel.Channel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Runs one exchange of a request, with its safe retries, on a channel leased from the pool: the
 * client's path from a request to its reader and writer. Redirects and challenges are above it
 * ({@link HopFollower}), which it serves as the one-hop {@link HopFollower.Sender}.
 */
final class ExchangeDispatcher implements HopFollower.Sender {

    private final EventLoops loops;
    private final ChannelPools pools;
    private final AtomicBoolean closing;
    private final int maxRetries;
    private final boolean trackBodyCallSites;
    private final CookieJar cookies; // null without a cookie handler
    private final RouteSelector routes;
    private final Supplier<CompletableFuture<?>> futures;
    private final ComposedRequestListener addedListeners = new ComposedRequestListener();
    private volatile RequestListener requestListener = RequestListener.NONE; // NONE, or addedListeners once one is added

    ExchangeDispatcher(EventLoops loops, ChannelPools pools, RouteSelector routes, AtomicBoolean closing, int maxRetries,
                       boolean trackBodyCallSites, CookieJar cookies, Supplier<CompletableFuture<?>> futures) {
        this.loops = loops;
        this.pools = pools;
        this.routes = routes;
        this.closing = closing;
        this.maxRetries = maxRetries;
        this.trackBodyCallSites = trackBodyCallSites;
        this.cookies = cookies;
        this.futures = futures;
    }

    /** See {@link KeepwellHttpClient#addRequestListener}. */
    void addRequestListener(RequestListener listener) {
        Objects.requireNonNull(listener, "listener");
        if (listener != RequestListener.NONE) {
            addedListeners.add(listener);
            requestListener = addedListeners;
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> CompletableFuture<T> newFuture() {
        return (CompletableFuture<T>) futures.get();
    }

    /** One exchange (with its safe retries), no redirect following. */
    @Override
    public <T> CompletableFuture<HttpResponse<T>> send(HttpRequest request, HttpResponse.BodyHandler<T> bodyHandler) {
        CompletableFuture<HttpResponse<T>> result = newFuture();
        if (closing.get()) {
            result.completeExceptionally(new ClientClosedException("the client is closed"));
            return result;
        }
        if (cookies != null) {
            try {
                request = cookies.attach(request);
            } catch (RuntimeException e) {
                // The caller's cookie handler failed: this call fails with it (on a redirect's next hop
                // the exception would otherwise be lost in the previous hop's callback).
                result.completeExceptionally(e instanceof java.io.UncheckedIOException unchecked ? unchecked.getCause() : e);
                return result;
            }
            bodyHandler = cookies.storing(request.uri(), bodyHandler);
        }
        PoolKey key;
        try {
            key = keyFor(request.uri(), routes.select(request));
        } catch (IllegalArgumentException e) {
            result.completeExceptionally(e);
            return result;
        }
        Exchange<T> exchange = new Exchange<>(request, bodyHandler, result, key, this::exchangeFailed,
                requestListener);
        if (exchange.trace() != null) {
            result.whenComplete(exchange.trace()::futureCompleted);
        }
        if (trackBodyCallSites) {
            exchange.recordCallSite();
        }
        dispatch(exchange);
        return result;
    }
    /** The last key made, for its URI and route: a caller that sends one built request again makes no new key. */
    private record KeyMemo(java.net.URI uri, io.keepwell.pool.Route route, PoolKey key) {
    }

    private volatile KeyMemo lastKey;

    private PoolKey keyFor(java.net.URI uri, io.keepwell.pool.Route route) {
        KeyMemo memo = lastKey;
        if (memo != null && memo.uri == uri && memo.route.equals(route)) {
            return memo.key;
        }
        PoolKey key = PoolKey.of(uri, route);
        lastKey = new KeyMemo(uri, route, key);
        return key;
    }

    /**
     * Safe retry, Go's rule, from the facts the attempt recorded (see {@link RetryPolicy}); every
     * retry is counted in {@link PoolStats#retried()} and told to the pool listener.
     */
    private void exchangeFailed(Exchange<?> exchange, Throwable cause) {
        if (cause instanceof StreamResetException reset && reset.unprocessed() && !closing.get() && !exchange.result().isDone()) {
            RetryPolicy.Decision decision = RetryPolicy.decideUnprocessed(exchange.request(), maxRetries,
                    exchange.unprocessedRetries(), exchange.bytesWritten());
            if (decision.retry()) {
                if (exchange.trace() != null) {
                    exchange.trace().retried(cause);
                }
                exchange.countUnprocessedRetry();
                pools.core().recordRetry(exchange.key(), exchange.request().method(), exchange.retries(), cause);
                dispatch(exchange);
                return;
            }
        }
        if (cause instanceof PrematureCloseException premature && !closing.get() && !exchange.result().isDone()) {
            RetryPolicy.Decision decision = RetryPolicy.decide(exchange.request(), maxRetries,
                    premature.reused(), premature.phase() != PrematureCloseException.Phase.BEFORE_RESPONSE,
                    premature.bytesWritten());
            if (decision.retry()) {
                if (exchange.trace() != null) {
                    exchange.trace().retried(cause);
                }
                exchange.countRetry();
                pools.core().recordRetry(exchange.key(), exchange.request().method(), exchange.retries(), cause);
                dispatch(exchange);
                return;
            }
        }
        exchange.result().completeExceptionally(cause);
    }

    /** Leases a channel for the exchange and starts it there. */
    private void dispatch(Exchange<?> exchange) {
        Promise<Channel> leased = ImmediateEventExecutor.INSTANCE.newPromise();
        leased.addListener((Future<Channel> f) -> {
            if (!f.isSuccess()) {
                exchange.result().completeExceptionally(f.cause() instanceof ConnectFailure connect
                        ? connect.forRequest(exchange.request().method() + " " + exchange.request().uri()) : f.cause());
                return;
            }
            Channel channel = f.getNow();
            // Always as a task, even on the channel's loop: a channel handed to a waiter from inside the
            // read that ended its previous response may hold bytes that followed that response. They must
            // reach the reader while it is idle (which closes the channel as unsolicited) before this
            // request is written, or they are taken for its response (found by the chaos soak).
            try {
                channel.eventLoop().execute(() -> start(exchange, channel));
            } catch (RejectedExecutionException stopped) {
                // The client closed between the lease and now; its close takes the channel.
                exchange.result().completeExceptionally(new ClientClosedException("the client was closed"));
            }
        });
        if (exchange.retries() == 0) {
            exchange.result().whenComplete((response, error) -> {
                if (error instanceof CancellationException) {
                    abandon(exchange, CloseReason.ABORTED, error);
                }
            });
            exchange.request().timeout().ifPresent(limit -> limitTotalTime(exchange, limit));
        }
        exchange.lease(leased);
        exchange.stream(null);
        if (exchange.trace() != null) {
            exchange.trace().acquireStart();
        }
        pools.acquire(exchange.key(), leased, exchange.trace());
    }

    private void start(Exchange<?> exchange, Channel channel) {
        ConnectionContext cx = ConnectionContext.of(channel);
        if (cx.pooled().isMultiplexed()) {
            startStream(exchange, channel, cx);
            return;
        }
        boolean reused = cx.markLeased();
        if (exchange.result().isDone()) {
            HostChannelPool.releaseUnused(channel); // the caller left before the lease arrived: the channel served nothing
            return;
        }
        if (exchange.trace() != null) {
            exchange.trace().acquired(reused, cx.pooled().idleNanosBeforeLease());
        }
        ExchangeReader reader = cx.reader(); // a channel closed meanwhile fails the exchange in begin, before any write
        if (reader == null) {
            // Its handlers never went in: nothing was sent on it.
            exchangeFailed(exchange, new PrematureCloseException(PrematureCloseException.Phase.BEFORE_RESPONSE, 0, reused, null));
            return;
        }
        reader.begin(exchange, reused);
    }

    /** On an HTTP/2 connection the lease is a stream slot: the exchange runs on a stream of its own. */
    private void startStream(Exchange<?> exchange, Channel channel, ConnectionContext cx) {
        Http2ConnectionGuard guard = Http2ConnectionGuard.of(channel);
        if (guard == null) {
            // Closed between the lease and now, its handlers gone: the slot goes back, nothing was sent.
            Http2ConnectionGuard.releaseSlot(cx, channel);
            if (!exchange.result().isDone()) {
                exchangeFailed(exchange, new PrematureCloseException(PrematureCloseException.Phase.BEFORE_RESPONSE, 0, true, null));
            }
            return;
        }
        if (exchange.result().isDone()) {
            guard.releaseUnused(); // the caller left before the lease arrived
            return;
        }
        if (exchange.trace() != null) {
            exchange.trace().acquired(cx.pooled().lease() > 1, cx.pooled().idleNanosBeforeLease());
        }
        guard.openStream(exchange);
    }

    /**
     * The request's own timeout covers everything from here to the last body byte: waiting for a
     * connection, connecting, writing, waiting, reading, and a streamed body ({@code ofPublisher},
     * {@code ofInputStream}) after its future completed with the headers, until the body ends or
     * the caller cancels it (its subscriber then hears the timeout). Its timer goes when the future
     * fails, or when the response is over on its channel.
     */
    private void limitTotalTime(Exchange<?> exchange, Duration limit) {
        ScheduledFuture<?> timer;
        try {
            timer = loops.group().next().schedule(() -> {
                HttpTimeoutException timeout = new HttpTimeoutException(HttpTimeoutException.Phase.REQUEST, limit, exchange.toString());
                exchange.result().completeExceptionally(timeout);
                abandon(exchange, CloseReason.TIMEOUT, timeout); // a no-op once the exchange left its channel
            }, limit.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException stopped) {
            exchange.result().completeExceptionally(new ClientClosedException("the client was closed"));
            return;
        }
        exchange.onResponseEnd(() -> timer.cancel(false));
        exchange.result().whenComplete((response, error) -> {
            if (error != null) {
                timer.cancel(false);
            }
        });
    }

    /**
     * The caller gave up (cancel, timeout): a pending lease is withdrawn (a channel arriving later
     * goes back to the pool), a running exchange is ended by closing its channel.
     */
    private static void abandon(Exchange<?> exchange, CloseReason reason, Throwable error) {
        Promise<Channel> leased = exchange.lease();
        leased.cancel(false);
        if (leased.isSuccess()) {
            Channel channel = leased.getNow();
            try {
                channel.eventLoop().execute(() -> {
                    Channel stream = exchange.stream(); // HTTP/2: the exchange's reader is on its stream
                    ExchangeReader reader = PipelineInitializer.reader(stream != null ? stream : channel);
                    if (reader != null) { // null once a closed channel lost its handlers: its exchange is over
                        reader.abortIfCurrent(exchange, reason, error);
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException closed) {
                // The client has closed: its close took the channel, and the exchange with it.
            }
        }
    }

}
