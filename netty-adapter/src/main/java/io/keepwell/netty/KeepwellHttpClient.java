package io.keepwell.netty;

import io.keepwell.http.ClientClosedException;
import io.keepwell.http.HttpTimeoutException;
import io.keepwell.http.RequestListener;
import io.keepwell.keepalive.RetryPolicy;
import io.keepwell.netty.handler.BodyBufferGauge;
import io.keepwell.netty.handler.ChannelSettings;
import io.keepwell.netty.handler.ConnectionContext;
import io.keepwell.netty.handler.ExchangeReader;
import io.keepwell.netty.handler.ExchangeWriter;
import io.keepwell.netty.handler.PipelineInitializer;
import io.keepwell.netty.pool.ChannelPools;
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
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.Future;

import java.io.IOException;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * A {@link java.net.http.HttpClient} on Netty that keeps connections alive and never leaks them.
 * It takes requests built with the JDK's {@link HttpRequest#newBuilder()} and any
 * {@link HttpResponse.BodyHandler}, the JDK's own included. Build one with {@link #newBuilder()}
 * and share it: it owns event loops and a connection pool, and a client per request would defeat
 * both. Every future it returns completes, with a value or an exception, whatever the server does.
 */
public final class KeepwellHttpClient extends HttpClient implements AutoCloseable {

    private final EventLoops loops;
    private final BodyBufferGauge bodyBuffer = new BodyBufferGauge();
    private final HopFollower hops; // null when neither redirects nor challenges (a server's, a forwarding proxy's) are followed
    private final Authenticator authenticator; // null without one
    private final ChannelPools pools;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final AtomicBoolean shuttingDown = new AtomicBoolean();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final Duration connectTimeout;
    private final Redirect redirect;
    private final SSLContext sslContext;       // null: the JDK's default, as Netty's default context uses it
    private final SSLParameters sslParameters; // null: the context's defaults
    private final Executor executor;           // null: futures complete on the I/O thread
    private final Version version;
    private final CookieJar cookies;           // null without a cookie handler
    private final ExchangeDispatcher exchanges;
    private final ProxySelector proxySelector;  // null: none given, the system's default is used
    private final io.keepwell.netty.connect.RouteSelector routes;
    private final io.keepwell.netty.dns.HostResolver resolver;

    private KeepwellHttpClient(Builder b) {
        this.loops = EventLoops.start(b.transport, b.eventLoopThreads, "keepwell-io", b.ioSpin);
        this.connectTimeout = b.connectTimeout;
        this.redirect = b.redirect;
        this.sslContext = b.jdkSslContext;
        this.sslParameters = b.sslParameters;
        this.executor = b.executor;
        this.version = b.version;
        this.cookies = b.cookieHandler == null ? null : new CookieJar(b.cookieHandler);
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
        Bootstrap unixBootstrap = new Bootstrap().group(loops.group()).channel(loops.domainChannelClass())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, b.connectTimeout.toMillis()));
        this.authenticator = b.authenticator;
        this.proxySelector = b.proxy;
        this.routes = new io.keepwell.netty.connect.RouteSelector(
                b.proxy != null ? b.proxy : io.keepwell.netty.connect.RouteSelector.systemDefault(), b.unixSocket);
        this.resolver = b.hostResolver != null ? b.hostResolver
                : io.keepwell.netty.dns.HostResolvers.create(b.resolver, loops.group(), loops.transport() == Transport.EPOLL);
        io.keepwell.netty.proxy.ProxyCredentials proxyCredentials = new io.keepwell.netty.proxy.ProxyCredentials(b.authenticator, routes.proxies());
        io.netty.channel.group.ChannelGroup allChannels = new io.netty.channel.group.DefaultChannelGroup("keepwell",
                io.netty.util.concurrent.GlobalEventExecutor.INSTANCE);
        io.keepwell.netty.connect.Dialer dialer = new io.keepwell.netty.connect.Dialer(bootstrap, unixBootstrap,
                loops::domainSocketAddress, resolver, proxyCredentials, b.connectTimeout, allChannels);
        ChannelSettings settings = b.channelSettings(bodyBuffer);
        this.pools = new ChannelPools(b.pool, b.poolListener, dialer, loops.group(), allChannels, settings, closing, b.http2Options());
        this.exchanges = new ExchangeDispatcher(loops, pools, routes, closing, b.maxRetries, b.trackBodyCallSites, cookies, this::newResultFuture);
        if (b.requestListener != RequestListener.NONE) {
            exchanges.addRequestListener(b.requestListener);
        }
        ProxyAuthentication proxyAuthentication = routes.proxies() == null ? null : new ProxyAuthentication(routes, proxyCredentials);
        this.hops = b.redirect == Redirect.NEVER && b.authenticator == null && proxyAuthentication == null ? null
                : new HopFollower(exchanges, b.redirect == Redirect.NEVER ? null : new Redirects(b.redirect), b.maxRedirects,
                        b.authenticator == null ? null : new BasicAuthentication(b.authenticator), proxyAuthentication);
    }

    /**
     * A client TLS context builder set up as Keepwell's default is: hostname verification, ALPN
     * advertising {@code http/1.1}. Add trust or key material and pass the result to
     * {@link Builder#nettySslContext}.
     *
     * @return a new Netty client context builder
     */
    public static SslContextBuilder tlsContextBuilder() {
        return SslContextBuilder.forClient()
                .endpointIdentificationAlgorithm("HTTPS")
                .applicationProtocolConfig(ALPN_HTTP_1_1);
    }

    private static final ApplicationProtocolConfig ALPN_HTTP_1_1 = new ApplicationProtocolConfig(
            ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
            ApplicationProtocolNames.HTTP_1_1);

    /** ALPN offering HTTP/2 first, HTTP/1.1 as the fallback: what {@code version(HTTP_2)} sends. */
    private static final ApplicationProtocolConfig ALPN_H2_HTTP_1_1 = new ApplicationProtocolConfig(
            ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
            ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1);

    /**
     * {@code request}, sent over the Unix domain socket at {@code socket} (as a local daemon's
     * API: a container engine, a sidecar) instead of TCP, whatever the client's settings; the
     * URI's host and port still make the {@code Host} header and, with the path, the pool key.
     * A redirect to another origin leaves the socket.
     *
     * @param request the request
     * @param socket  the socket file
     * @return the request, carrying its socket
     */
    public static HttpRequest unixSocket(HttpRequest request, java.nio.file.Path socket) {
        return new io.keepwell.netty.connect.UnixSocketRequest(request, socket);
    }

    /**
     * A builder with the defaults, each listed with its setter.
     *
     * @return a new builder
     */
    public static Builder newBuilder() {
        return new Builder();
    }

    /**
     * The transport in use, as resolved when the client was built.
     *
     * @return {@link Transport#EPOLL} or {@link Transport#NIO}, never {@link Transport#AUTO}
     */
    public Transport transport() {
        return loops.transport();
    }

    @Override
    public Optional<CookieHandler> cookieHandler() {
        return cookies == null ? Optional.empty() : Optional.of(cookies.handler());
    }

    @Override
    public Optional<Duration> connectTimeout() {
        return Optional.of(connectTimeout);
    }

    @Override
    public Redirect followRedirects() {
        return redirect;
    }

    /** The selector given to {@link Builder#proxy}; empty when none was (the system default is then used, as the JDK does). */
    @Override
    public Optional<ProxySelector> proxy() {
        return Optional.ofNullable(proxySelector);
    }

    @Override
    public SSLContext sslContext() {
        if (sslContext != null) {
            return sslContext;
        }
        try {
            return SSLContext.getDefault();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("no default SSLContext", e);
        }
    }

    @Override
    public SSLParameters sslParameters() {
        SSLParameters source = sslParameters != null ? sslParameters : sslContext().getDefaultSSLParameters();
        return TlsParameters.copy(source);
    }

    @Override
    public Optional<Authenticator> authenticator() {
        return Optional.ofNullable(authenticator);
    }

    /**
     * The version asked for: with {@code HTTP_2} (the default) https connections offer h2 through
     * ALPN and fall back to HTTP/1.1; http connections speak HTTP/1.1 unless
     * {@link Builder#h2cPriorKnowledge(boolean)} is set.
     */
    @Override
    public Version version() {
        return version;
    }

    @Override
    public Optional<Executor> executor() {
        return Optional.ofNullable(executor);
    }

    /**
     * Sends the request and waits for the response.
     *
     * @throws IllegalStateException on one of this client's I/O threads, where waiting would
     *                               block the thread that must complete the exchange
     */
    @Override
    public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> responseBodyHandler)
            throws IOException, InterruptedException {
        if (loops.inAnyEventLoop()) {
            throw new IllegalStateException("send() on an I/O thread of this Keepwell client would block the thread that"
                    + " must complete the exchange; use sendAsync() and compose");
        }
        CompletableFuture<HttpResponse<T>> future = sendAsync(request, responseBodyHandler);
        try {
            return future.get();
        } catch (InterruptedException e) {
            future.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                io.addSuppressed(new CalledFrom("send() was called here"));
                throw io;
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IOException(cause);
        }
    }

    /** Where a blocking call waited for an exchange that failed on an I/O thread. */
    private static final class CalledFrom extends Exception {
        private static final long serialVersionUID = 1L;

        CalledFrom(String message) {
            super(message);
        }
    }

    /**
     * Sends the request and returns a future of the response. The future completes when the body
     * handler's subscriber has produced the body. It fails with an {@link IOException} subclass
     * for I/O problems (a {@code java.net.http.HttpTimeoutException} for every timeout), with
     * {@link ClientClosedException} once the client is shut down, and with
     * {@link IllegalArgumentException} for a request this client cannot send (before any I/O).
     */
    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> responseBodyHandler) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(responseBodyHandler, "responseBodyHandler");
        RequestCheck.check(request);
        if (shuttingDown.get()) {
            CompletableFuture<HttpResponse<T>> refused = newResultFuture();
            refused.completeExceptionally(new ClientClosedException("the client is shut down"));
            return refused;
        }
        CompletableFuture<HttpResponse<T>> sent = hops == null ? exchanges.send(request, responseBodyHandler)
                : hops.send(request, responseBodyHandler);
        return executor == null ? sent : completeOnExecutor(sent);
    }

    /** Server push is refused (the client's settings disable it): {@code pushPromiseHandler} is never called. */
    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> responseBodyHandler,
                                                            HttpResponse.PushPromiseHandler<T> pushPromiseHandler) {
        return sendAsync(request, responseBodyHandler);
    }

    /** The caller's stages run on the executor; a cancel of the returned future reaches the exchange. */
    private <T> CompletableFuture<T> completeOnExecutor(CompletableFuture<T> sent) {
        CompletableFuture<T> handedOver = newResultFuture();
        sent.whenComplete((value, error) -> {
            Runnable complete = () -> {
                if (error == null) {
                    handedOver.complete(value);
                } else {
                    handedOver.completeExceptionally(error instanceof java.util.concurrent.CompletionException c && c.getCause() != null
                            ? c.getCause() : error);
                }
            };
            try {
                executor.execute(complete);
            } catch (RejectedExecutionException refused) {
                complete.run(); // an executor that stopped must not leave the caller waiting forever
            }
        });
        handedOver.whenComplete((value, error) -> {
            if (handedOver.isCancelled()) {
                sent.cancel(true);
            }
        });
        return handedOver;
    }

    /** A future the caller may not wait on from one of this client's I/O threads. */
    <T> CompletableFuture<T> newResultFuture() {
        return new IoThreadGuardedFuture<>(loops::inAnyEventLoop, executor);
    }

    /**
     * Adds a listener that hears the steps of every call from now on, after those already set;
     * a call already in flight may tell it its remaining steps (so a listener should not assume
     * it heard {@code callStart} for every call it hears end). Thread-safe. A listener that throws
     * is logged and dropped: it hears nothing more, and the call goes on.
     *
     * @param listener the listener; {@link RequestListener#NONE} changes nothing
     */
    public void addRequestListener(RequestListener listener) {
        exchanges.addRequestListener(listener);
    }

    /**
     * Adds a listener that hears every pool event from now on, after those already set. Thread-safe.
     *
     * @param listener the listener; {@link PoolListener#NOOP} changes nothing
     */
    public void addPoolListener(PoolListener listener) {
        pools.core().addListener(listener);
    }

    /**
     * A consistent snapshot of the connection pool's counts, over every host.
     *
     * @return the pool's current counts and totals since the client was built
     */
    public PoolStats poolStats() {
        return pools.core().stats();
    }

    /**
     * The pool's current counts (open, idle, active, connecting, pending) for the host of
     * {@code uri} (scheme, host and port); all zero for a host it does not know.
     *
     * @param uri any URI of the host (its scheme, host and port are used)
     * @return the host's current counts; its totals are zero (the pool keeps totals for all hosts only)
     */
    public PoolStats poolStats(java.net.URI uri) {
        return pools.core().stats(PoolKey.of(uri));
    }

    /**
     * The pool's current counts for every host it holds connections or waiters for.
     *
     * @return an immutable snapshot, by host
     */
    public java.util.Map<PoolKey, PoolStats> poolStatsByHost() {
        return pools.core().statsByHost();
    }

    /**
     * Closes every idle connection now, and makes connections released by requests already in
     * flight close instead of going idle, until new work arrives.
     */
    public void closeIdleConnections() {
        pools.core().closeIdle();
    }

    /**
     * HTTP/2 streams open now, counted as their stream channels open and close: a witness
     * independent of the pool's {@link PoolStats#streams()}.
     *
     * @return the number of open streams, at least 0
     */
    public int openStreams() {
        return pools.openStreams();
    }

    /**
     * Channels not yet closed, counted by Netty's channel group: a witness independent of the pool's counts.
     *
     * @return the number of open channels, at least 0
     */
    public int openChannels() {
        return pools.openChannels();
    }

    /**
     * Response body bytes held for subscribers that have not asked for them yet.
     *
     * @return bytes held now, over every exchange, at least 0
     */
    public long bufferedBodyBytes() {
        return bodyBuffer.current();
    }

    /**
     * The most response body bytes held at once for subscribers that had not asked for them.
     *
     * @return the peak in bytes since the client was built or {@link #resetBufferedBodyBytesPeak()}
     */
    public long bufferedBodyBytesPeak() {
        return bodyBuffer.peak();
    }

    /** Starts {@link #bufferedBodyBytesPeak()} again from what is held now. */
    public void resetBufferedBodyBytesPeak() {
        bodyBuffer.resetPeak();
    }

    /**
     * Channels with a write, response-header or read deadline set; with no exchange in flight it
     * must be 0 (a lapsing timer task may remain until its time, holding no deadline). For tests.
     */
    int armedExchangeTimers() throws InterruptedException, ExecutionException {
        int scheduled = 0;
        for (Channel channel : pools.openChannelsForTesting()) {
            // Looked up on the loop: a channel closing meanwhile loses its handlers there.
            Future<Boolean> armed = channel.eventLoop().submit(() -> {
                ExchangeReader reader = PipelineInitializer.reader(channel);
                ExchangeWriter writer = PipelineInitializer.writer(channel);
                return (reader != null && reader.timerArmed()) || (writer != null && writer.timerArmed());
            });
            if (armed.get()) {
                scheduled++;
            }
        }
        return scheduled;
    }

    /** See {@code ClientInternals.http2Residue}; for tests. */
    String http2Residue() throws InterruptedException, ExecutionException {
        StringBuilder residue = new StringBuilder();
        for (Channel channel : pools.openChannelsForTesting()) {
            Future<String> held = channel.eventLoop().submit(() -> {
                io.keepwell.netty.http2.Http2ConnectionGuard guard = io.keepwell.netty.http2.Http2ConnectionGuard.of(channel);
                if (guard == null || (guard.heldSlots() == 0 && guard.unconsumedBytes() == 0)) {
                    return "";
                }
                return channel + ": " + guard.heldSlots() + " slot(s) held for a PING ack, " + guard.unconsumedBytes()
                        + " received byte(s) not returned to the connection window; ";
            });
            residue.append(held.get());
        }
        return residue.toString();
    }

    /** Connect attempts abandoned because another address connected first; for tests. */
    long abandonedConnectAttempts() {
        return pools.dialer().abandonedAttempts();
    }

    /** The channels currently idle in the pool; for tests that inspect a channel's state. */
    java.util.List<Channel> idleChannels() {
        return pools.openChannelsForTesting().stream()
                .filter(ch -> pools.core().stateOf(ConnectionContext.of(ch).pooled()) == io.keepwell.pool.ConnState.IDLE)
                .toList();
    }

    /**
     * Closes the client now: idle connections close, requests in flight fail with
     * {@link ClientClosedException}, new requests are refused. The future completes once every
     * connection is closed and every thread the client started has stopped.
     *
     * @return a future completing once the client has terminated; the same future on every call
     */
    public CompletableFuture<Void> closeAsync() {
        shuttingDown.set(true);
        if (!closing.compareAndSet(false, true)) {
            return closed;
        }
        pools.core().close();
        pools.closeAll().addListener(all ->
                loops.group().shutdownGracefully(0, 2, TimeUnit.SECONDS).addListener(done -> {
                    resolver.close();
                    if (done.isSuccess()) {
                        closed.complete(null);
                    } else {
                        closed.completeExceptionally(done.cause());
                    }
                }));
        return closed;
    }

    /**
     * Starts an orderly shutdown (Java 21's {@code HttpClient.shutdown()}): new requests fail with
     * {@link ClientClosedException}, idle connections close, and requests already sent run to
     * completion (their bodies included); then the client closes as {@link #closeAsync()} does.
     */
    public void shutdown() {
        if (shuttingDown.compareAndSet(false, true)) {
            pools.core().closeIdle();
            drainThenClose();
        }
    }

    /** Closes once no connection is leased, waited for or being opened; checked again as connections come back. */
    private void drainThenClose() {
        PoolStats stats = pools.core().stats();
        if (stats.active() == 0 && stats.pending() == 0 && stats.connecting() == 0) {
            closeAsync();
        } else if (!closing.get()) {
            try {
                loops.group().next().schedule(this::drainThenClose, 10, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException stopped) {
                closeAsync();
            }
        }
    }

    /** Java 21's {@code HttpClient.shutdownNow()}: {@link #closeAsync()}, without waiting for it. */
    public void shutdownNow() {
        closeAsync();
    }

    /**
     * Waits up to {@code duration} for the client to terminate (Java 21's
     * {@code HttpClient.awaitTermination}); whether it did. An interrupt ends the wait with
     * {@code false} and the thread's interrupt status set.
     *
     * @param duration the longest wait; not {@code null}
     * @return {@code true} if the client terminated within {@code duration}
     * @throws IllegalStateException on one of this client's I/O threads, which the wait would block
     */
    public boolean awaitTermination(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        refuseOnIoThread("awaitTermination()");
        try {
            closed.get(duration.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            return true; // the event loops failed to stop cleanly; nothing more will run
        }
    }

    /**
     * Whether every connection is closed and every thread the client started has stopped.
     *
     * @return {@code true} once the future of {@link #closeAsync()} has completed
     */
    public boolean isTerminated() {
        return closed.isDone();
    }

    /**
     * Shuts the client down in order and waits until it has terminated, as Java 21's
     * {@code HttpClient.close()}: requests in flight complete first (each bounded by its
     * timeouts). An interrupt while waiting turns it into {@link #shutdownNow()}.
     *
     * @throws IllegalStateException when called on one of the client's own I/O threads, where
     *                               waiting would deadlock; use {@link #closeAsync()} there
     */
    @Override
    public void close() {
        refuseOnIoThread("close()");
        shutdown();
        boolean interrupted = false;
        while (true) {
            try {
                closed.get();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
                shutdownNow();
            } catch (ExecutionException e) {
                break;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void refuseOnIoThread(String call) {
        if (loops.inAnyEventLoop()) {
            throw new IllegalStateException(call + " would block an I/O thread of this client; use closeAsync()");
        }
    }

    @Override
    public String toString() {
        return "KeepwellHttpClient{" + loops.transport() + ", " + pools.core().config() + '}';
    }

    /**
     * Settings for a {@link KeepwellHttpClient}: the JDK builder's, and Keepwell's own. Every
     * default is listed with its setter. Not thread-safe.
     */
    public static final class Builder implements HttpClient.Builder {
        private PoolConfig pool = PoolConfig.defaults();
        /** The default {@link #ioSpin}. */
        static final Duration DEFAULT_IO_SPIN = Duration.ZERO;
        private static final Duration MAX_IO_SPIN = Duration.ofMillis(1);
        private int eventLoopThreads = Runtime.getRuntime().availableProcessors();
        private Transport transport = Transport.AUTO;
        private Duration ioSpin = DEFAULT_IO_SPIN;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private PoolListener poolListener = PoolListener.NOOP;
        private RequestListener requestListener = RequestListener.NONE;
        private int maxInitialLineLength = 8 * 1024;
        private int maxHeaderSize = 16 * 1024;
        private int maxRetries = 1;
        private Duration writeTimeout = Duration.ofSeconds(10);
        private Duration responseHeaderTimeout = Duration.ofSeconds(60);
        private Duration readTimeout = Duration.ofSeconds(60);
        private Duration abandonedBodyTimeout = Duration.ofSeconds(30);
        private long maxResponseBodySize = Long.MAX_VALUE;
        private boolean trackBodyCallSites;
        private SslContext sslContext;        // Netty's, set directly; wins over jdkSslContext
        private SSLContext jdkSslContext;
        private SSLParameters sslParameters;
        private Executor executor;
        private Version version = Version.HTTP_2;
        private boolean h2cPriorKnowledge;
        private Duration http2PingInterval = Duration.ofSeconds(30);
        private Duration http2PingTimeout = Duration.ofSeconds(10);
        private int http2InitialWindowSize = 1024 * 1024;
        private int http2ConnectionWindowSize = 16 * 1024 * 1024;
        private Duration http2DrainTimeout = Duration.ofSeconds(10);
        private ProxySelector proxy;
        private io.keepwell.netty.dns.ResolverSettings resolver = io.keepwell.netty.dns.ResolverSettings.defaults();
        private java.nio.file.Path unixSocket;   // null: TCP
        private io.keepwell.netty.dns.HostResolver hostResolver; // null: built from the resolver settings
        private Authenticator authenticator;
        private CookieHandler cookieHandler;
        private Duration handshakeTimeout = Duration.ofSeconds(10);
        private boolean hostnameVerification = true;
        private Redirect redirect = Redirect.NEVER;
        private int maxRedirects = 4;
        private boolean decompression;
        private long maxDecompressedSize = 64L * 1024 * 1024;
        private Duration expectContinueTimeout = Duration.ofSeconds(1);
        private io.netty.channel.ChannelFactory<? extends Channel> channelFactory; // null: the transport's channel class

        private Builder() {
        }

        /** Fault injection at the transport boundary: opens channels with {@code factory}; for tests. */
        Builder channelFactory(io.netty.channel.ChannelFactory<? extends Channel> factory) {
            this.channelFactory = Objects.requireNonNull(factory, "factory");
            return this;
        }

        /**
         * Pool settings; {@link PoolConfig#defaults()} by default.
         *
         * @param pool the connection pool's limits and timeouts; not {@code null}
         * @return this builder
         */
        public Builder pool(PoolConfig pool) {
            this.pool = Objects.requireNonNull(pool, "pool");
            return this;
        }

        /**
         * I/O threads; default: the number of cores.
         *
         * @param threads the number of event loop threads, at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code threads} is below 1
         */
        public Builder eventLoopThreads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("eventLoopThreads must be at least 1: " + threads);
            }
            this.eventLoopThreads = threads;
            return this;
        }

        /**
         * How long an I/O thread that ran out of work polls for more before it sleeps; zero (sleep
         * at once, Netty's default) by default. A response that arrives within the spin is read
         * without the thread's wake-up: at one request in flight on loopback a 50 µs spin more than
         * doubles requests per second and lowers CPU per request. Under load it costs CPU the
         * wake-ups it saves do not repay (64 KiB responses at 16 in flight: 3 to 5 µs more per
         * request, no more requests per second), so it is for latency-bound callers with few
         * requests in flight. A loop spins once after its last event, never while it has work,
         * and a task another thread hands it ends the spin; a client at rest uses no CPU.
         *
         * @param spin the spin, 0 to 1 ms; not {@code null}
         * @return this builder
         * @throws IllegalArgumentException if {@code spin} is negative or above 1 ms
         */
        public Builder ioSpin(Duration spin) {
            Objects.requireNonNull(spin, "spin");
            if (spin.isNegative() || spin.compareTo(MAX_IO_SPIN) > 0) {
                throw new IllegalArgumentException("ioSpin must be 0 to 1 ms: " + spin);
            }
            this.ioSpin = spin;
            return this;
        }

        /**
         * The transport; {@link Transport#AUTO} (epoll when available) by default.
         *
         * @param transport the transport to use; not {@code null}
         * @return this builder
         */
        public Builder transport(Transport transport) {
            this.transport = Objects.requireNonNull(transport, "transport");
            return this;
        }

        /**
         * Limit on establishing a connection, all of it: resolving the host name, the connects to
         * each of its addresses, and through a proxy its tunnel or SOCKS handshake; 10 s by
         * default (the JDK client has none). It fails with
         * {@link io.keepwell.http.HttpConnectTimeoutException}, a
         * {@code java.net.http.HttpConnectTimeoutException}, of phase {@code DNS} if the name was
         * still being resolved, else {@code CONNECT}.
         */
        @Override
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
         *
         * @param maxRetries 0 for no retry; any positive value allows them
         * @return this builder
         * @throws IllegalArgumentException if {@code maxRetries} is negative
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
         *
         * @param timeout the longest gap; positive, not {@code null}
         * @return this builder
         * @throws IllegalArgumentException if {@code timeout} is zero or negative
         */
        public Builder writeTimeout(Duration timeout) {
            this.writeTimeout = positive(timeout, "writeTimeout");
            return this;
        }

        /**
         * Limit from the request's last byte to the response's status line and headers; 60 s by
         * default, so that a server that never answers cannot hold a request forever.
         *
         * @param timeout the limit; positive, not {@code null}
         * @return this builder
         * @throws IllegalArgumentException if {@code timeout} is zero or negative
         */
        public Builder responseHeaderTimeout(Duration timeout) {
            this.responseHeaderTimeout = positive(timeout, "responseHeaderTimeout");
            return this;
        }

        /**
         * Limit on a gap between two reads of a response body; 60 s by default. Time the
         * caller's subscriber spends without demand does not count.
         *
         * @param timeout the longest gap; positive, not {@code null}
         * @return this builder
         * @throws IllegalArgumentException if {@code timeout} is zero or negative
         */
        public Builder readTimeout(Duration timeout) {
            this.readTimeout = positive(timeout, "readTimeout");
            return this;
        }

        /**
         * How long a streamed response body may wait with no demand from its subscriber (never
         * subscribed, or stalled) before the client closes its connection and logs a warning
         * naming the request; 30 s by default.
         *
         * @param timeout the longest wait without demand; positive, not {@code null}
         * @return this builder
         * @throws IllegalArgumentException if {@code timeout} is zero or negative
         */
        public Builder abandonedBodyTimeout(Duration timeout) {
            this.abandonedBodyTimeout = positive(timeout, "abandonedBodyTimeout");
            return this;
        }

        /**
         * Largest response body accepted, whatever the body handler: a response announcing or
         * sending more fails with {@link io.keepwell.http.BodyTooLargeException} and its connection
         * is closed. Off by default (as in the JDK client), so a large download is never cut; to
         * hold a body in memory safely, use {@link io.keepwell.http.KeepwellBodyHandlers#ofString(long)}
         * or {@code ofByteArray(long)}, which bound that body alone.
         *
         * @param bytes the largest body, in bytes as given to the body handler (decompressed, when
         *              {@link #decompression} is on); positive
         * @return this builder
         * @throws IllegalArgumentException if {@code bytes} is not positive
         */
        public Builder maxResponseBodySize(long bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("maxResponseBodySize must be positive: " + bytes);
            }
            this.maxResponseBodySize = bytes;
            return this;
        }

        /**
         * Records where each request was sent from, so an abandoned-body warning can say; off by
         * default, since it costs a stack trace per request.
         *
         * @param track {@code true} to record each request's call site
         * @return this builder
         */
        public Builder trackBodyCallSites(boolean track) {
            this.trackBodyCallSites = track;
            return this;
        }

        /**
         * The TLS context for https as the JDK takes it: trust, key material, provider. By default
         * the JDK's default context. ALPN advertises {@code http/1.1}; every https connection
         * sends SNI.
         */
        @Override
        public Builder sslContext(SSLContext sslContext) {
            this.jdkSslContext = Objects.requireNonNull(sslContext, "sslContext");
            return this;
        }

        /**
         * TLS parameters (protocols, cipher suites, SNI, endpoint identification), as the JDK takes
         * them; applied to every https connection. Endpoint identification is the one they name,
         * or {@code HTTPS} when they name none (as the JDK client does); only
         * {@link #hostnameVerification(boolean)} turns it off.
         */
        @Override
        public Builder sslParameters(SSLParameters sslParameters) {
            this.sslParameters = TlsParameters.copy(Objects.requireNonNull(sslParameters, "sslParameters"));
            return this;
        }

        /**
         * Where response futures complete and their dependent stages run, as in the JDK client.
         * By default they complete on the client's I/O thread (the cheapest: no hand-over), where
         * a stage must not block.
         */
        @Override
        public Builder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * The HTTP version to prefer; {@code HTTP_2} by default, as in the JDK. With {@code HTTP_2}
         * https connections offer {@code h2} and {@code http/1.1} through ALPN and speak what the
         * server chooses (an origin that chose HTTP/1.1 is remembered for 10 minutes, so its
         * bursts open connections at once instead of waiting on a possible HTTP/2 one); with
         * {@code HTTP_1_1} they offer {@code http/1.1} only. Plain http speaks HTTP/1.1 (no
         * {@code Upgrade: h2c}) unless {@link #h2cPriorKnowledge(boolean)} is set. A Netty context
         * given through {@link #nettySslContext} offers what its own ALPN settings say.
         */
        @Override
        public Builder version(Version version) {
            this.version = Objects.requireNonNull(version, "version");
            return this;
        }

        /**
         * Speak HTTP/2 on plain http connections without asking first (h2c with prior knowledge,
         * as gRPC-style backends expect); off by default. Every http origin of the client must
         * then speak h2c.
         *
         * @param enable {@code true} for h2c with prior knowledge
         * @return this builder
         */
        public Builder h2cPriorKnowledge(boolean enable) {
            this.h2cPriorKnowledge = enable;
            return this;
        }

        /**
         * How long an HTTP/2 connection may go without receiving anything before it is asked to
         * prove itself alive with a PING; 30 s by default.
         *
         * @param interval the read-idle time; positive, not {@code null}
         * @return this builder
         * @throws IllegalArgumentException if {@code interval} is zero or negative
         */
        public Builder http2PingInterval(Duration interval) {
            this.http2PingInterval = positive(interval, "http2PingInterval");
            return this;
        }

        /**
         * How long a PING waits for its answer before the connection is taken as dead and closed
         * (its streams fail; those that may be retried are); 10 s by default.
         *
         * @param timeout the limit; positive, not {@code null}
         * @return this builder
         * @throws IllegalArgumentException if {@code timeout} is zero or negative
         */
        public Builder http2PingTimeout(Duration timeout) {
            this.http2PingTimeout = positive(timeout, "http2PingTimeout");
            return this;
        }

        /**
         * The receive window of each HTTP/2 stream, sent in the client's settings; 1 MiB by
         * default. A response body whose subscriber asks for nothing holds at most this much, and
         * holds back only its own stream.
         *
         * @param bytes the window, 1 to 2^31-1
         * @return this builder
         * @throws IllegalArgumentException if {@code bytes} is not positive
         */
        public Builder http2InitialWindowSize(int bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("http2InitialWindowSize must be positive: " + bytes);
            }
            this.http2InitialWindowSize = bytes;
            return this;
        }

        /**
         * The receive window of each HTTP/2 connection, shared by its streams; 16 MiB by default.
         * It bounds what a connection's streams hold unread together. It is never below twice
         * {@link #http2InitialWindowSize(int)} (Netty widens it so, so that one stream cannot
         * exhaust it). Data a stream never read (cancelled, abandoned, discarded) is given back to it
         * when the stream closes.
         *
         * @param bytes the window, at least 65535 (the protocol's initial window)
         * @return this builder
         * @throws IllegalArgumentException if {@code bytes} is below 65535
         */
        public Builder http2ConnectionWindowSize(int bytes) {
            if (bytes < io.keepwell.netty.http2.Http2Options.DEFAULT_WINDOW) {
                throw new IllegalArgumentException("http2ConnectionWindowSize must be at least 65535: " + bytes);
            }
            this.http2ConnectionWindowSize = bytes;
            return this;
        }

        /**
         * How long an HTTP/2 connection that is retired (it received GOAWAY) lets its open streams
         * finish before it is closed; 10 s by default.
         *
         * @param timeout the limit; positive, not {@code null}
         * @return this builder
         * @throws IllegalArgumentException if {@code timeout} is zero or negative
         */
        public Builder http2DrainTimeout(Duration timeout) {
            this.http2DrainTimeout = positive(timeout, "http2DrainTimeout");
            return this;
        }

        io.keepwell.netty.http2.Http2Options http2Options() {
            return new io.keepwell.netty.http2.Http2Options(version == Version.HTTP_2, h2cPriorKnowledge, http2PingInterval,
                    http2PingTimeout, http2InitialWindowSize, http2ConnectionWindowSize, http2DrainTimeout, handshakeTimeout);
        }

        /** HTTP/2 stream priority, 1 to 256; checked, and without effect (RFC 9113 deprecates priority signals). */
        @Override
        public Builder priority(int priority) {
            if (priority < 1 || priority > 256) {
                throw new IllegalArgumentException("priority must be 1 to 256: " + priority);
            }
            return this;
        }

        /**
         * Where requests go through, as the JDK client: each request's URI is given to the
         * selector, and the first proxy it returns carries the request: an HTTP proxy takes
         * {@code http} requests in absolute form and tunnels {@code https} with {@code CONNECT}
         * (TLS, SNI and hostname verification against the origin, inside the tunnel); a SOCKS
         * proxy (SOCKS5) carries both. {@code Proxy.NO_PROXY} (or an empty list) goes direct.
         * Connections through different proxies are pooled apart. Proxy credentials come from the
         * {@link #authenticator(Authenticator) authenticator}, asked with requestor type
         * {@code PROXY}. {@code ProxyRules} builds a selector with bypass lists, or from
         * {@code HTTP_PROXY}/{@code HTTPS_PROXY}/{@code NO_PROXY}. Default, as the JDK client's:
         * {@code ProxySelector.getDefault()} as it is when the client is built (the JDK's own reads
         * {@code http.proxyHost}, {@code https.proxyHost}, {@code socksProxyHost},
         * {@code http.nonProxyHosts}; with none of them set every request goes direct, and the
         * selector is not asked at all). {@code HttpClient.Builder.NO_PROXY} turns proxies off.
         */
        @Override
        public Builder proxy(ProxySelector proxySelector) {
            this.proxy = Objects.requireNonNull(proxySelector, "proxySelector");
            return this;
        }

        /**
         * The name servers to ask, instead of those of {@code /etc/resolv.conf}; for tests and
         * custom setups. Names are still looked up in {@code /etc/hosts} first. Default: the
         * system's configuration; where it names no name server, the JDK's resolver, off the I/O
         * threads (never a public name server).
         *
         * @param nameServers addresses of name servers, tried in order; not empty
         * @return this builder
         */
        public Builder resolver(java.util.List<java.net.InetSocketAddress> nameServers) {
            Objects.requireNonNull(nameServers, "nameServers");
            if (nameServers.isEmpty()) {
                throw new IllegalArgumentException("nameServers must not be empty");
            }
            for (java.net.InetSocketAddress server : nameServers) {
                if (Objects.requireNonNull(server, "name server").isUnresolved()) {
                    throw new IllegalArgumentException("a name server must be an address, not a name: " + server);
                }
            }
            this.resolver = resolver.withNameServers(nameServers);
            return this;
        }

        /**
         * Bounds on how long a resolved name is cached: its records' TTL, raised to {@code min}
         * and cut to {@code max}. Default: 0 and 5 minutes (a record's TTL is honoured; a name
         * whose addresses change is seen within 5 minutes whatever its TTL says).
         *
         * @param min the shortest time an answer is kept
         * @param max the longest time an answer is kept
         * @return this builder
         */
        public Builder dnsCacheTtl(Duration min, Duration max) {
            Objects.requireNonNull(min, "min");
            Objects.requireNonNull(max, "max");
            if (min.isNegative() || max.compareTo(min) < 0) {
                throw new IllegalArgumentException("need 0 <= min <= max: " + min + ", " + max);
            }
            this.resolver = resolver.withTtl(min, max);
            return this;
        }

        /**
         * How long a name that does not exist is remembered as such, so a misspelt host is not
         * asked for at every request. Default: 10 s. Zero keeps none.
         *
         * @param ttl how long a miss is kept
         * @return this builder
         */
        public Builder dnsNegativeCacheTtl(Duration ttl) {
            Objects.requireNonNull(ttl, "ttl");
            if (ttl.isNegative()) {
                throw new IllegalArgumentException("ttl must not be negative: " + ttl);
            }
            this.resolver = resolver.withNegativeTtl(ttl);
            return this;
        }

        /** Resolves names with {@code resolver} instead of one built from the settings; for tests. The client closes it. */
        Builder hostResolver(io.keepwell.netty.dns.HostResolver resolver) {
            this.hostResolver = Objects.requireNonNull(resolver, "resolver");
            return this;
        }

        /** The resolver's files instead of {@code /etc/resolv.conf} and {@code /etc/hosts}; for tests. */
        Builder resolverFiles(java.nio.file.Path resolvConf, java.nio.file.Path hostsFile) {
            this.resolver = resolver.withFiles(resolvConf, hostsFile);
            return this;
        }

        /**
         * Sends every {@code http} request over the Unix domain socket at {@code path}, as to a
         * local daemon (a container engine's API, a sidecar); the URI's host and port still make
         * the {@code Host} header and the pool key, and connections are pooled by path. Native
         * epoll's domain sockets where they load, NIO's otherwise. {@code https} requests are not
         * affected. A single request can name its own socket with
         * {@link KeepwellHttpClient#unixSocket(HttpRequest, java.nio.file.Path)}. Default: none.
         *
         * @param path the socket file
         * @return this builder
         */
        public Builder unixSocket(java.nio.file.Path path) {
            this.unixSocket = Objects.requireNonNull(path, "path");
            return this;
        }

        /**
         * Answers servers' Basic challenges ({@code 401} with {@code WWW-Authenticate: Basic}) with
         * the credentials it gives, as the JDK client does: the request is sent again with
         * {@code Authorization}, at most 4 times per call as in the JDK (then the call fails with an
         * {@code IOException}); no credentials, and the 401 is the response. It is asked on an I/O
         * thread: it must answer from memory. A proxy's challenges ({@code 407} with
         * {@code Proxy-Authenticate: Basic}, to a forwarded request or a {@code CONNECT}) and a
         * SOCKS5 proxy's are answered the same way, with requestor type {@code PROXY}.
         */
        @Override
        public Builder authenticator(Authenticator authenticator) {
            this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
            return this;
        }

        /**
         * Cookies: before each request (each redirect hop too) the handler's cookies for its URI
         * are added, and every response's headers are given to it.
         */
        @Override
        public Builder cookieHandler(CookieHandler cookieHandler) {
            this.cookieHandler = Objects.requireNonNull(cookieHandler, "cookieHandler");
            return this;
        }

        /**
         * Advanced: a Netty client {@link SslContext} for https, instead of a
         * {@code javax.net.ssl.SSLContext} ({@link #tlsContextBuilder()} gives a builder set up as
         * Keepwell's default). {@link #sslParameters} still apply. Wins over
         * {@link #sslContext(SSLContext)} when both are set.
         *
         * @param sslContext a Netty client context; not {@code null}
         * @return this builder
         * @throws IllegalArgumentException if {@code sslContext} is a server context
         */
        public Builder nettySslContext(SslContext sslContext) {
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
        @Override
        public Builder followRedirects(Redirect redirect) {
            this.redirect = Objects.requireNonNull(redirect, "redirect");
            return this;
        }

        /**
         * Most redirects followed for one request; 4 by default, as the JDK client (whose
         * {@code jdk.httpclient.redirects.retrylimit} of 5 counts the requests). The redirect past
         * the limit is the response, as in the JDK, not an error. Used only when
         * {@link #followRedirects} is not {@code NEVER}.
         *
         * @param max the most redirects followed, at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code max} is below 1
         */
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
         *
         * @param enable {@code true} to ask for and decode compressed responses
         * @return this builder
         */
        public Builder decompression(boolean enable) {
            this.decompression = enable;
            return this;
        }

        /**
         * Largest decompressed body accepted; a larger one (a gzip bomb) fails with
         * {@code BodyTooLargeException} and its connection is closed. 64 MiB by default.
         *
         * @param bytes the largest body after decoding, in bytes; positive
         * @return this builder
         * @throws IllegalArgumentException if {@code bytes} is not positive
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
         *
         * @param timeout the wait; positive, not {@code null}
         * @return this builder
         * @throws IllegalArgumentException if {@code timeout} is zero or negative
         */
        public Builder expectContinueTimeout(Duration timeout) {
            this.expectContinueTimeout = positive(timeout, "expectContinueTimeout");
            return this;
        }

        /**
         * Limit on the TLS handshake; 10 s by default.
         *
         * @param timeout the limit; positive, not {@code null}
         * @return this builder
         * @throws IllegalArgumentException if {@code timeout} is zero or negative
         */
        public Builder handshakeTimeout(Duration timeout) {
            this.handshakeTimeout = positive(timeout, "handshakeTimeout");
            return this;
        }

        /**
         * Whether the server's certificate must name the URI's host; on by default. Turning it off
         * accepts any certificate the trust store accepts, for any host: only for tests.
         *
         * @param verify {@code false} to skip hostname verification
         * @return this builder
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

        /**
         * Hears pool events; none by default. Called on I/O threads: it must not block.
         *
         * @param listener the listener, such as Keepwell's Micrometer binding; not {@code null}
         *                 ({@link PoolListener#NOOP} for none)
         * @return this builder
         */
        public Builder poolListener(PoolListener listener) {
            this.poolListener = Objects.requireNonNull(listener, "poolListener");
            return this;
        }

        /**
         * Hears the steps of every call (see {@link RequestListener}); none by default, and with
         * none the client takes no timestamps for it. More can be added to the built client with
         * {@link KeepwellHttpClient#addRequestListener}.
         *
         * @param listener the listener
         * @return this builder
         */
        public Builder requestListener(RequestListener listener) {
            this.requestListener = Objects.requireNonNull(listener, "requestListener");
            return this;
        }

        /**
         * Longest accepted status line; 8 KiB by default. A longer one fails the exchange with
         * {@link io.keepwell.http.HttpProtocolException}.
         *
         * @param bytes the limit in bytes, at least 64
         * @return this builder
         * @throws IllegalArgumentException if {@code bytes} is below 64
         */
        public Builder maxInitialLineLength(int bytes) {
            if (bytes < 64) {
                throw new IllegalArgumentException("maxInitialLineLength too small: " + bytes);
            }
            this.maxInitialLineLength = bytes;
            return this;
        }

        /**
         * Largest accepted response header block; 16 KiB by default. A larger one fails the
         * exchange with {@link io.keepwell.http.HttpProtocolException}.
         *
         * @param bytes the limit in bytes, at least 256
         * @return this builder
         * @throws IllegalArgumentException if {@code bytes} is below 256
         */
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
         *
         * @param phase the timeout's phase
         * @return the configured limit; empty only for {@code REQUEST}
         */
        public Optional<Duration> limit(HttpTimeoutException.Phase phase) {
            return switch (phase) {
                case ACQUIRE -> Optional.of(pool.acquireTimeout());
                case DNS, CONNECT -> Optional.of(connectTimeout);
                case HANDSHAKE -> Optional.of(handshakeTimeout);
                case WRITE -> Optional.of(writeTimeout);
                case RESPONSE_HEADERS -> Optional.of(responseHeaderTimeout);
                case READ -> Optional.of(readTimeout);
                case BODY_ABANDONED -> Optional.of(abandonedBodyTimeout);
                case PING -> Optional.of(http2PingTimeout);
                case REQUEST -> Optional.empty();
            };
        }

        /**
         * What every channel of a client built now would be set up with. For harnesses that run
         * the pipeline without a client (handler tests, benchmarks on an {@code EmbeddedChannel}).
         */
        ChannelSettings channelSettings(BodyBufferGauge bodyBuffer) {
            HttpDecoderConfig decoder = new HttpDecoderConfig()
                    .setMaxInitialLineLength(maxInitialLineLength)
                    .setMaxHeaderSize(maxHeaderSize)
                    .setMaxChunkSize(64 * 1024); // a slice of what was read, never a buffer of that size
            return new ChannelSettings(decoder, connectTimeout, responseHeaderTimeout, readTimeout,
                    abandonedBodyTimeout, maxResponseBodySize, bodyBuffer, tlsContext(), sslParameters, handshakeTimeout,
                    hostnameVerification,
                    decompression, maxDecompressedSize, expectContinueTimeout, writeTimeout);
        }

        private SslContext tlsContext() {
            if (sslContext != null) {
                return sslContext;
            }
            ApplicationProtocolConfig alpn = version == Version.HTTP_2 ? ALPN_H2_HTTP_1_1 : ALPN_HTTP_1_1;
            if (jdkSslContext != null) {
                return new JdkSslContext(jdkSslContext, true, null, IdentityCipherSuiteFilter.INSTANCE, alpn,
                        ClientAuth.NONE, null, false);
            }
            try {
                return SslContextBuilder.forClient().endpointIdentificationAlgorithm("HTTPS").applicationProtocolConfig(alpn).build();
            } catch (javax.net.ssl.SSLException e) {
                throw new IllegalStateException("cannot build the default TLS context", e);
            }
        }

        /**
         * A client with these settings.
         *
         * @throws IllegalStateException when the Netty on the class path is not 4.2
         */
        @Override
        public KeepwellHttpClient build() {
            NettyVersionCheck.requireNetty42();
            return new KeepwellHttpClient(this);
        }
    }
}
