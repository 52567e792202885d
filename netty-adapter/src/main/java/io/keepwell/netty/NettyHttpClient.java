package io.keepwell.netty;

import io.keepwell.http.ByteArrayBodyPublisher;
import io.keepwell.http.HttpClient;
import io.keepwell.http.HttpRequest;
import io.keepwell.http.HttpResponse;
import io.keepwell.http.PrematureCloseException;
import io.keepwell.keepalive.RetryPolicy;
import io.keepwell.netty.handler.ConnectionContext;
import io.keepwell.netty.handler.Exchange;
import io.keepwell.netty.handler.ExchangeReader;
import io.keepwell.netty.handler.PipelineInitializer;
import io.keepwell.netty.pool.ChannelPools;
import io.keepwell.netty.pool.HostChannelPool;
import io.keepwell.netty.transport.EventLoops;
import io.keepwell.pool.Clock;
import io.keepwell.pool.ConnectionPool;
import io.keepwell.pool.PoolConfig;
import io.keepwell.pool.PoolKey;
import io.keepwell.pool.PoolListener;
import io.keepwell.pool.PoolStats;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The Netty implementation of {@link HttpClient}. Build one with {@link #builder()} and share it:
 * it owns event loops and a connection pool, and a client per request would defeat both.
 */
public final class NettyHttpClient implements HttpClient {

    private final EventLoops loops;
    private final int maxRetries;
    private final ChannelPools pools;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();

    private NettyHttpClient(Builder b) {
        this.loops = EventLoops.start(b.transport, b.eventLoopThreads, "keepwell-io");
        this.maxRetries = b.maxRetries;
        Bootstrap bootstrap = new Bootstrap()
                .group(loops.group())
                .channel(loops.channelClass())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, b.connectTimeout.toMillis()));
        HttpDecoderConfig decoder = new HttpDecoderConfig()
                .setMaxInitialLineLength(b.maxInitialLineLength)
                .setMaxHeaderSize(b.maxHeaderSize)
                .setMaxChunkSize(16 * 1024);
        ChannelPools[] self = new ChannelPools[1];
        ConnectionPool<Channel> core = new ConnectionPool<>(b.pool, Clock.system(), b.poolListener, new io.keepwell.pool.TransportHooks<>() {
            @Override
            public boolean isOpen(Channel transport) {
                return self[0].isOpen(transport);
            }

            @Override
            public void close(Channel transport) {
                self[0].close(transport);
            }
        });
        this.pools = new ChannelPools(core, bootstrap, decoder, closing);
        self[0] = pools;
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
        String scheme = request.uri().getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http")) {
            throw new IllegalArgumentException("only http is supported by this version, not " + scheme + ": " + request.uri());
        }
        if (!(request.bodyPublisher() instanceof ByteArrayBodyPublisher)) {
            throw new IllegalArgumentException("only in-memory request bodies (BodyPublishers.ofString/ofByteArray/noBody) are supported by this version");
        }
        CompletableFuture<HttpResponse<T>> result = new CompletableFuture<>();
        if (closing.get()) {
            result.completeExceptionally(new IllegalStateException("the client is closed"));
            return result;
        }
        Exchange<T> exchange = new Exchange<>(request, bodyHandler, result, PoolKey.of(request.uri()), this::exchangeFailed);
        dispatch(exchange);
        return result;
    }

    /**
     * Safe retry, Go's rule, from the facts the attempt recorded (see {@link RetryPolicy}); every
     * retry is counted in {@link PoolStats#retried()} and told to the pool listener.
     */
    private void exchangeFailed(Exchange<?> exchange, Throwable cause) {
        if (cause instanceof PrematureCloseException premature && !closing.get() && !exchange.result().isDone()) {
            RetryPolicy.Decision decision = RetryPolicy.decide(exchange.request(), exchange.retries(), maxRetries,
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
                exchange.result().completeExceptionally(f.cause());
                return;
            }
            Channel channel = f.getNow();
            // Always as a task, even on the channel's loop: a channel handed to a waiter from inside the
            // read that ended its previous response may hold bytes that followed that response. They must
            // reach the reader while it is idle (which closes the channel as unsolicited) before this
            // request is written, or they are taken for its response (found by the chaos soak).
            channel.eventLoop().execute(() -> start(exchange, channel, host));
        });
        if (exchange.retries() == 0) {
            exchange.result().whenComplete((response, error) -> {
                if (error instanceof CancellationException) {
                    cancelled(exchange, error);
                }
            });
        }
        exchange.lease(leased);
        host.acquire(leased);
    }

    private void start(Exchange<?> exchange, Channel channel, HostChannelPool host) {
        boolean reused = ConnectionContext.of(channel).markLeased();
        if (exchange.result().isDone()) {
            host.release(channel);
            return;
        }
        ExchangeReader reader = PipelineInitializer.reader(channel);
        reader.begin(exchange, reused);
    }

    /** The caller cancelled: a pending lease is withdrawn (a channel arriving later goes back), a running exchange aborts. */
    private static void cancelled(Exchange<?> exchange, Throwable error) {
        Promise<Channel> leased = exchange.lease();
        leased.cancel(false);
        if (leased.isSuccess()) {
            Channel channel = leased.getNow();
            channel.eventLoop().execute(() -> PipelineInitializer.reader(channel).abortIfCurrent(exchange, error));
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

        private Builder() {
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
         * How many times a request that failed on a reused connection before any response byte
         * may be sent again (see {@link RetryPolicy}); 0 turns retry off. Default 1, as in Go:
         * enough for the common race where a server closes an idle connection as it is reused.
         */
        public Builder maxRetries(int maxRetries) {
            if (maxRetries < 0) {
                throw new IllegalArgumentException("maxRetries must not be negative: " + maxRetries);
            }
            this.maxRetries = maxRetries;
            return this;
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

        public NettyHttpClient build() {
            return new NettyHttpClient(this);
        }
    }
}
