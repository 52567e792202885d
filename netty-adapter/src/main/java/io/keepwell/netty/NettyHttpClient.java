package io.keepwell.netty;

import io.keepwell.http.ClientClosedException;
import io.keepwell.http.HttpClient;
import io.keepwell.http.HttpRequest;
import io.keepwell.http.HttpResponse;
import io.keepwell.http.HttpTimeoutException;
import io.keepwell.http.PrematureCloseException;
import io.keepwell.netty.handler.BodyBufferGauge;
import io.keepwell.netty.handler.ChannelSettings;
import io.keepwell.pool.CloseReason;
import io.netty.util.concurrent.ScheduledFuture;
import io.keepwell.keepalive.RetryPolicy;
import io.keepwell.netty.handler.ConnectionContext;
import io.keepwell.netty.handler.Exchange;
import io.keepwell.netty.handler.ExchangeReader;
import io.keepwell.netty.handler.ExchangeWriter;
import io.keepwell.netty.handler.PipelineInitializer;
import io.keepwell.netty.pool.ChannelPools;
import io.keepwell.netty.pool.ConnectFailure;
import io.keepwell.netty.pool.HostChannelPool;
import io.keepwell.netty.transport.EventLoops;
import io.keepwell.pool.PoolConfig;
import io.keepwell.pool.PoolKey;
import io.keepwell.pool.PoolListener;
import io.keepwell.pool.PoolStats;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The Netty implementation of {@link HttpClient}. Build one with {@link #builder()} and share it:
 * it owns event loops and a connection pool, and a client per request would defeat both.
 */
public final class NettyHttpClient implements HttpClient {

    private final EventLoops loops;
    private final int maxRetries;
    private final boolean trackBodyCallSites;
    private final BodyBufferGauge bodyBuffer = new BodyBufferGauge();
    private final RedirectFollower redirects; // null when redirects are not followed
    private final ChannelPools pools;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();

    private NettyHttpClient(Builder b) {
        this.loops = EventLoops.start(b.transport, b.eventLoopThreads, "keepwell-io");
        this.maxRetries = b.maxRetries;
        Bootstrap bootstrap = new Bootstrap().group(loops.group());
        if (b.channelFactory != null) {
            bootstrap.channelFactory(b.channelFactory);
        } else {
            bootstrap.channel(loops.channelClass());
        }
        bootstrap
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, b.connectTimeout.toMillis()));
        this.trackBodyCallSites = b.trackBodyCallSites;
        this.redirects = b.redirect == Redirect.NEVER ? null
                : new RedirectFollower(new RedirectFollower.Sender() {
                    @Override
                    public <T> CompletableFuture<HttpResponse<T>> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
                        return sendOnce(request, handler);
                    }

                    @Override
                    public <T> CompletableFuture<T> newFuture() {
                        return newResultFuture();
                    }
                }, b.redirect, b.maxRedirects);
        ChannelSettings settings = b.channelSettings(bodyBuffer);
        this.pools = new ChannelPools(b.pool, b.poolListener, bootstrap, settings, closing);
    }

    /**
     * A client TLS context builder set up as Keepwell's default is: hostname verification, ALPN
     * advertising {@code http/1.1}. Add trust or key material and pass the result to
     * {@link Builder#sslContext}.
     */
    public static SslContextBuilder tlsContextBuilder() {
        return SslContextBuilder.forClient()
                .endpointIdentificationAlgorithm("HTTPS")
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        ApplicationProtocolNames.HTTP_1_1));
    }

    /** The JDK's TLS provider and trust store, advertising {@code http/1.1} through ALPN. */
    private static SslContext defaultSslContext() {
        try {
            return tlsContextBuilder().build();
        } catch (javax.net.ssl.SSLException e) {
            throw new IllegalStateException("cannot build the default TLS context", e);
        }
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The transport in use: EPOLL or NIO. */
    public Transport transport() {
        return loops.transport();
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> bodyHandler) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(bodyHandler, "bodyHandler");
        return redirects == null ? sendOnce(request, bodyHandler) : redirects.send(request, bodyHandler);
    }

    /** A future the caller may not wait on from one of this client's I/O threads. */
    <T> CompletableFuture<T> newResultFuture() {
        return new IoThreadGuardedFuture<>(loops::inAnyEventLoop);
    }

    /** One exchange (with its safe retries), no redirect following. */
    private <T> CompletableFuture<HttpResponse<T>> sendOnce(HttpRequest request, HttpResponse.BodyHandler<T> bodyHandler) {
        CompletableFuture<HttpResponse<T>> result = newResultFuture();
        if (closing.get()) {
            result.completeExceptionally(new IllegalStateException("the client is closed"));
            return result;
        }
        Exchange<T> exchange = new Exchange<>(request, bodyHandler, result, PoolKey.of(request.uri()), this::exchangeFailed);
        if (trackBodyCallSites) {
            exchange.recordCallSite();
        }
        dispatch(exchange);
        return result;
    }

    /**
     * Safe retry, Go's rule, from the facts the attempt recorded (see {@link RetryPolicy}); every
     * retry is counted in {@link PoolStats#retried()} and told to the pool listener.
     */
    private void exchangeFailed(Exchange<?> exchange, Throwable cause) {
        if (cause instanceof PrematureCloseException premature && !closing.get() && !exchange.result().isDone()) {
            RetryPolicy.Decision decision = RetryPolicy.decide(exchange.request(), maxRetries,
                    premature.reused(), premature.phase() != PrematureCloseException.Phase.BEFORE_RESPONSE,
                    premature.bytesWritten());
            if (decision.retry()) {
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
        HostChannelPool host = pools.hostPool(exchange.key());
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
                channel.eventLoop().execute(() -> start(exchange, channel, host));
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
        host.acquire(leased);
    }

    private void start(Exchange<?> exchange, Channel channel, HostChannelPool host) {
        boolean reused = ConnectionContext.of(channel).markLeased();
        if (exchange.result().isDone()) {
            host.releaseUnused(channel); // the caller left before the lease arrived: the channel served nothing
            return;
        }
        ExchangeReader reader = PipelineInitializer.reader(channel);
        if (reader == null) {
            // Closed between its lease and now, and its handlers are gone: nothing was sent on it.
            exchangeFailed(exchange, new PrematureCloseException(PrematureCloseException.Phase.BEFORE_RESPONSE, 0, reused, null));
            return;
        }
        reader.begin(exchange, reused);
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
                    ExchangeReader reader = PipelineInitializer.reader(channel);
                    if (reader != null) { // null once a closed channel lost its handlers: its exchange is over
                        reader.abortIfCurrent(exchange, reason, error);
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException closed) {
                // The client has closed: its close took the channel, and the exchange with it.
            }
        }
    }

    @Override
    public PoolStats poolStats() {
        return pools.core().stats();
    }

    @Override
    public void closeIdleConnections() {
        pools.core().closeIdle();
    }

    /** Channels not yet closed, counted by Netty's channel group: a witness independent of the pool's counts. */
    public int openChannels() {
        return pools.openChannels();
    }

    /** Response body bytes held for subscribers that have not asked for them yet, now and at the peak. */
    public BodyBufferGauge bodyBuffer() {
        return bodyBuffer;
    }

    /**
     * Channels with a write, response-header or read timer scheduled; for tests: with no exchange
     * in flight it must be 0 (idle channels keep only their idle-expiry timer).
     */
    public int scheduledExchangeTimersForTesting() throws InterruptedException, java.util.concurrent.ExecutionException {
        int scheduled = 0;
        for (Channel channel : pools.openChannelsForTesting()) {
            // Looked up on the loop: a channel closing meanwhile loses its handlers there.
            io.netty.util.concurrent.Future<Boolean> armed = channel.eventLoop().submit(() -> {
                ExchangeReader reader = PipelineInitializer.reader(channel);
                ExchangeWriter writer = PipelineInitializer.writer(channel);
                return (reader != null && reader.timerScheduled()) || (writer != null && writer.timerScheduled());
            });
            if (armed.get()) {
                scheduled++;
            }
        }
        return scheduled;
    }

    /** The channels currently idle in the pool; for tests that inspect a channel's state. */
    public java.util.List<Channel> idleChannelsForTesting() {
        return pools.openChannelsForTesting().stream()
                .filter(ch -> pools.core().stateOf(ConnectionContext.of(ch).pooled()) == io.keepwell.pool.ConnState.IDLE)
                .toList();
    }

    @Override
    public CompletableFuture<Void> closeAsync() {
        if (!closing.compareAndSet(false, true)) {
            return closed;
        }
        pools.core().close();
        pools.closeAll().addListener(all ->
                loops.group().shutdownGracefully(0, 2, TimeUnit.SECONDS).addListener(done -> {
                    if (done.isSuccess()) {
                        closed.complete(null);
                    } else {
                        closed.completeExceptionally(done.cause());
                    }
                }));
        return closed;
    }

    @Override
    public void close() {
        if (loops.inAnyEventLoop()) {
            throw new IllegalStateException("close() would block an I/O thread of this client; use closeAsync()");
        }
        closeAsync().join();
    }

    @Override
    public String toString() {
        return "NettyHttpClient{" + loops.transport() + ", " + pools.core().config() + '}';
    }

    /** Settings for a {@link NettyHttpClient}; every default is listed with its setter. */
    public static final class Builder {
        private PoolConfig pool = PoolConfig.defaults();
        private int eventLoopThreads = Runtime.getRuntime().availableProcessors();
        private Transport transport = Transport.AUTO;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private PoolListener poolListener = PoolListener.NOOP;
        private int maxInitialLineLength = 8 * 1024;
        private int maxHeaderSize = 16 * 1024;
        private int maxRetries = 1;
        private Duration writeTimeout = Duration.ofSeconds(10);
        private Duration responseHeaderTimeout = Duration.ofSeconds(60);
        private Duration readTimeout = Duration.ofSeconds(60);
        private Duration abandonedBodyTimeout = Duration.ofSeconds(30);
        private long aggregationLimit = 32L * 1024 * 1024;
        private long discardBudget = 16 * 1024;
        private boolean trackBodyCallSites;
        private SslContext sslContext;
        private Duration handshakeTimeout = Duration.ofSeconds(10);
        private boolean hostnameVerification = true;
        private Redirect redirect = Redirect.NEVER;
        private int maxRedirects = 5;
        private boolean decompression;
        private long maxDecompressedSize = 64L * 1024 * 1024;
        private Duration expectContinueTimeout = Duration.ofSeconds(1);
        private io.netty.channel.ChannelFactory<? extends Channel> channelFactory; // null: the transport's channel class

        private Builder() {
        }

        /** Fault injection at the transport boundary: opens channels with {@code factory}; for tests. */
        Builder channelFactoryForTesting(io.netty.channel.ChannelFactory<? extends Channel> factory) {
            this.channelFactory = Objects.requireNonNull(factory, "factory");
            return this;
        }

        /** Pool settings; {@link PoolConfig#defaults()} by default. */
        public Builder pool(PoolConfig pool) {
            this.pool = Objects.requireNonNull(pool, "pool");
            return this;
        }

        /** I/O threads; default: the number of cores. */
        public Builder eventLoopThreads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("eventLoopThreads must be at least 1: " + threads);
            }
            this.eventLoopThreads = threads;
            return this;
        }

        /** The transport; {@link Transport#AUTO} (epoll when available) by default. */
        public Builder transport(Transport transport) {
            this.transport = Objects.requireNonNull(transport, "transport");
            return this;
        }

        /** Limit on establishing a TCP connection; 10 s by default. */
        public Builder connectTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "connectTimeout");
            if (timeout.isZero() || timeout.isNegative()) {
                throw new IllegalArgumentException("connectTimeout must be positive: " + timeout);
            }
            this.connectTimeout = timeout;
            return this;
        }

        /**
         * Whether a request that failed on a reused connection before any response byte may be
         * sent again (see {@link RetryPolicy}): 0 turns retry off, any other value turns it on.
         * Default 1. As in Go, such retries are not counted: each one follows a stale connection,
         * which is closed, and a pool holds finitely many; a failure on a fresh one ends it.
         */
        public Builder maxRetries(int maxRetries) {
            if (maxRetries < 0) {
                throw new IllegalArgumentException("maxRetries must not be negative: " + maxRetries);
            }
            this.maxRetries = maxRetries;
            return this;
        }

        /**
         * Limit on a gap in writing a request: the longest time in which no byte of it reaches the
         * socket (a server that stopped reading, a body publisher that stopped emitting). A gap,
         * not a total, as OkHttp's: a large upload that keeps moving is never cut. 10 s by
         * default, as OkHttp. A wait for {@code 100 Continue} is bounded by
         * {@link #expectContinueTimeout} instead.
         */
        public Builder writeTimeout(Duration timeout) {
            this.writeTimeout = positive(timeout, "writeTimeout");
            return this;
        }

        /**
         * Limit from the request's last byte to the response's status line and headers; 60 s by
         * default, so that a server that never answers cannot hold a request forever.
         */
        public Builder responseHeaderTimeout(Duration timeout) {
            this.responseHeaderTimeout = positive(timeout, "responseHeaderTimeout");
            return this;
        }

        /**
         * Limit on a gap between two reads of a response body; 60 s by default. Time the
         * caller's subscriber spends without demand does not count.
         */
        public Builder readTimeout(Duration timeout) {
            this.readTimeout = positive(timeout, "readTimeout");
            return this;
        }

        /**
         * How long a streamed response body may wait with no demand from its subscriber (never
         * subscribed, or stalled) before the client closes its connection and logs a warning
         * naming the request; 30 s by default.
         */
        public Builder abandonedBodyTimeout(Duration timeout) {
            this.abandonedBodyTimeout = positive(timeout, "abandonedBodyTimeout");
            return this;
        }

        /**
         * Largest body that {@code BodyHandlers.ofByteArray()} and {@code ofString()} hold in
         * memory; a larger one fails with {@code BodyTooLargeException}. 32 MiB by default: large
         * enough for any API response, small enough that a hostile server cannot exhaust the heap.
         */
        public Builder aggregationLimit(long bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("aggregationLimit must be positive: " + bytes);
            }
            this.aggregationLimit = bytes;
            return this;
        }

        /**
         * Largest body that {@code BodyHandlers.discarding()} drains to keep its connection; a
         * larger one closes the connection instead. 16 KiB by default: draining costs less than a
         * new connection up to about there.
         */
        public Builder discardBudget(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("discardBudget must not be negative: " + bytes);
            }
            this.discardBudget = bytes;
            return this;
        }

        /**
         * Records where each request was sent from, so an abandoned-body warning can say; off by
         * default, since it costs a stack trace per request.
         */
        public Builder trackBodyCallSites(boolean track) {
            this.trackBodyCallSites = track;
            return this;
        }

        /**
         * The TLS context for https (a Netty client {@link SslContext}: trust, key material,
         * provider). By default the JDK provider with the JDK's trust store, advertising
         * {@code http/1.1} by ALPN. Every https connection sends SNI.
         */
        public Builder sslContext(SslContext sslContext) {
            Objects.requireNonNull(sslContext, "sslContext");
            if (!sslContext.isClient()) {
                throw new IllegalArgumentException("sslContext must be a client context");
            }
            this.sslContext = sslContext;
            return this;
        }

        /**
         * Whether and how redirects are followed, as in {@code java.net.http}: {@code NEVER} (the
         * default: the caller sees the 3xx), {@code NORMAL} (not from https to http) or
         * {@code ALWAYS}.
         */
        public Builder followRedirects(Redirect redirect) {
            this.redirect = Objects.requireNonNull(redirect, "redirect");
            return this;
        }

        /** Most redirects followed for one request; 5 by default, as in the JDK client. */
        public Builder maxRedirects(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxRedirects must be at least 1: " + max);
            }
            this.maxRedirects = max;
            return this;
        }

        /**
         * Ask for gzip/deflate ({@code Accept-Encoding}, unless the request sets its own) and
         * decode responses transparently with Netty's decompressor. Off by default, so bodies and
         * CPU cost are what the server sends.
         */
        public Builder decompression(boolean enable) {
            this.decompression = enable;
            return this;
        }

        /**
         * Largest decompressed body accepted; a larger one (a gzip bomb) fails with
         * {@code BodyTooLargeException} and its connection is closed. 64 MiB by default.
         */
        public Builder maxDecompressedSize(long bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("maxDecompressedSize must be positive: " + bytes);
            }
            this.maxDecompressedSize = bytes;
            return this;
        }

        /**
         * How long a request built with {@code expectContinue(true)} waits for {@code 100 Continue}
         * before sending its body anyway; 1 s by default (as curl), since some servers never send it.
         */
        public Builder expectContinueTimeout(Duration timeout) {
            this.expectContinueTimeout = positive(timeout, "expectContinueTimeout");
            return this;
        }

        /** Limit on the TLS handshake; 10 s by default. */
        public Builder handshakeTimeout(Duration timeout) {
            this.handshakeTimeout = positive(timeout, "handshakeTimeout");
            return this;
        }

        /**
         * Whether the server's certificate must name the URI's host; on by default. Turning it off
         * accepts any certificate the trust store accepts, for any host: only for tests.
         */
        public Builder hostnameVerification(boolean verify) {
            this.hostnameVerification = verify;
            return this;
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException(name + " must be positive: " + d);
            }
            return d;
        }

        /** Hears pool events; none by default. */
        public Builder poolListener(PoolListener listener) {
            this.poolListener = Objects.requireNonNull(listener, "poolListener");
            return this;
        }

        /** Longest accepted status line; 8 KiB by default. */
        public Builder maxInitialLineLength(int bytes) {
            if (bytes < 64) {
                throw new IllegalArgumentException("maxInitialLineLength too small: " + bytes);
            }
            this.maxInitialLineLength = bytes;
            return this;
        }

        /** Largest accepted response header block; 16 KiB by default. */
        public Builder maxHeaderSize(int bytes) {
            if (bytes < 256) {
                throw new IllegalArgumentException("maxHeaderSize too small: " + bytes);
            }
            this.maxHeaderSize = bytes;
            return this;
        }

        /**
         * The limit these settings put on {@code phase}, or empty for {@code REQUEST}, which each
         * request sets for itself ({@code HttpRequest.Builder.timeout}). Every other phase has one,
         * whatever the settings, so an exchange that stops making progress always ends.
         */
        public Optional<Duration> limit(HttpTimeoutException.Phase phase) {
            return switch (phase) {
                case ACQUIRE -> Optional.of(pool.acquireTimeout());
                case CONNECT -> Optional.of(connectTimeout);
                case HANDSHAKE -> Optional.of(handshakeTimeout);
                case WRITE -> Optional.of(writeTimeout);
                case RESPONSE_HEADERS -> Optional.of(responseHeaderTimeout);
                case READ -> Optional.of(readTimeout);
                case BODY_ABANDONED -> Optional.of(abandonedBodyTimeout);
                case REQUEST -> Optional.empty();
            };
        }

        /**
         * What every channel of a client built now would be set up with. For harnesses that run
         * the pipeline without a client (handler tests, benchmarks on an {@code EmbeddedChannel}).
         */
        public ChannelSettings channelSettings(BodyBufferGauge bodyBuffer) {
            HttpDecoderConfig decoder = new HttpDecoderConfig()
                    .setMaxInitialLineLength(maxInitialLineLength)
                    .setMaxHeaderSize(maxHeaderSize)
                    .setMaxChunkSize(16 * 1024);
            return new ChannelSettings(decoder, connectTimeout, responseHeaderTimeout, readTimeout,
                    abandonedBodyTimeout, aggregationLimit, discardBudget, bodyBuffer,
                    sslContext != null ? sslContext : defaultSslContext(), handshakeTimeout, hostnameVerification,
                    decompression, maxDecompressedSize, expectContinueTimeout, writeTimeout);
        }

        public NettyHttpClient build() {
            return new NettyHttpClient(this);
        }
    }
}
