package io.keepwell.netty.pool;

import io.keepwell.netty.handler.ConnectionContext;
import io.keepwell.netty.handler.PipelineInitializer;
import io.keepwell.netty.handler.RequestTrace;
import io.keepwell.pool.Clock;
import io.keepwell.pool.CloseReason;
import io.keepwell.pool.ConnectionPool;
import io.keepwell.pool.PoolConfig;
import io.keepwell.pool.PoolKey;
import io.keepwell.pool.PoolListener;
import io.keepwell.pool.PooledConnection;
import io.keepwell.pool.TransportHooks;
import io.keepwell.netty.connect.Dialer;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.ChannelGroupFuture;
import io.keepwell.http.HttpTimeoutException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.keepwell.netty.handler.ChannelSettings;
import io.netty.util.concurrent.Promise;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import io.keepwell.netty.http2.ConnectionReadiness;
import io.keepwell.netty.http2.Http2Options;

/**
 * The bridge between the core pool and Netty: it opens channels for the slots the core pool
 * grants, reports every channel's close back to it exactly once (from the close future, whatever
 * path closed the channel), closes the channels the pool drops, and hands out the per-host
 * {@link HostChannelPool} views.
 */
public final class ChannelPools implements TransportHooks<Channel> {

    private final ConnectionPool<Channel> core;
    private final Dialer dialer;
    private final EventLoopGroup loops;
    private final ChannelSettings settings;
    private final AtomicBoolean clientClosing;
    private final ChannelGroup allChannels;
    private final Http2Options http2; // null: HTTP/1.1 only
    private final AtomicInteger openStreams = new AtomicInteger();
    private final Map<PoolKey, Long> http1Only = new ConcurrentHashMap<>(); // origins whose ALPN chose HTTP/1.1, until (nanoTime)

    /** How long an origin whose ALPN chose HTTP/1.1 is connected to without waiting on a possible HTTP/2 connect. */
    static final long HTTP1_ONLY_MEMORY_NANOS = TimeUnit.MINUTES.toNanos(10);

    /**
     * Creates the client's one core pool, with this bridge as its transport hooks. {@code dialer}
     * opens connections on {@code loops}, adding each channel to {@code allChannels}.
     * {@code http2} null speaks HTTP/1.1 only.
     */
    public ChannelPools(PoolConfig config, PoolListener listener, Dialer dialer, EventLoopGroup loops, ChannelGroup allChannels,
                        ChannelSettings settings, AtomicBoolean clientClosing, Http2Options http2) {
        this.core = new ConnectionPool<>(config, Clock.system(), listener, this);
        this.dialer = dialer;
        this.loops = loops;
        this.allChannels = allChannels;
        this.settings = settings;
        this.clientClosing = clientClosing;
        this.http2 = http2;
    }

    /** HTTP/2 stream channels open now, counted as they open and close: a witness independent of the pool. */
    public int openStreams() {
        return openStreams.get();
    }

    /**
     * An https origin may come up HTTP/2 unless its ALPN recently chose HTTP/1.1; an http one only
     * with prior knowledge.
     */
    @Override
    public boolean mayMultiplex(PoolKey key) {
        if (http2 == null) {
            return false;
        }
        if (!key.scheme().equals("https")) {
            // An HTTP proxy forwards http requests one by one, in HTTP/1.1 absolute form.
            return http2.priorKnowledge() && key.route().kind() != io.keepwell.pool.Route.Kind.HTTP_PROXY;
        }
        if (!http2.offered()) {
            return false;
        }
        Long until = http1Only.get(key);
        if (until == null) {
            return true;
        }
        if (System.nanoTime() - until >= 0) {
            http1Only.remove(key, until);
            return true;
        }
        return false;
    }

    public ConnectionPool<Channel> core() {
        return core;
    }

    /**
     * Netty's pool view for one host. Views hold no state, so none is cached: a client that talks
     * to many hosts keeps no per-host object beyond what the core pool holds (and prunes). The
     * client's own path leases with {@link #acquire} and builds no view per request.
     */
    public HostChannelPool hostPool(PoolKey key) {
        return new HostChannelPool(key, this);
    }

    /**
     * Completes {@code promise} with a channel leased for {@code key}: an idle one, a new one, or
     * one handed over when released; a channel arriving for a promise already done goes back. A
     * connection opened for it tells its steps to {@code trace} (null for none).
     */
    public Promise<Channel> acquire(PoolKey key, Promise<Channel> promise, RequestTrace trace) {
        core.acquire(new PromiseWaiter(key, this, promise, trace));
        return promise;
    }

    /** Every channel not yet closed. */
    public int openChannels() {
        return allChannels.size();
    }

    /** Every open channel; for tests. */
    public java.util.List<Channel> openChannelsForTesting() {
        return java.util.List.copyOf(allChannels);
    }

    /** Closes every channel and fails every connect in progress; in-flight exchanges fail. */
    public ChannelGroupFuture closeAll() {
        dialer.abortAll(new io.keepwell.http.ClientClosedException("the client was closed while connecting"));
        return allChannels.close();
    }

    @Override
    public boolean isOpen(Channel channel) {
        return channel.isActive();
    }

    @Override
    public void close(Channel channel) {
        channel.close();
    }

    /**
     * Opens a channel in {@code slot} for {@code promise}, through the dialer (resolution, address
     * race, proxy tunnel, all within the connect timeout); then installs its protocol's handlers
     * and waits for the TLS handshake and the protocol's readiness. A connection nobody wants any
     * more goes to the pool.
     */
    void connect(PooledConnection<Channel> slot, Promise<Channel> promise, RequestTrace trace) {
        PoolKey key = slot.key();
        HostChannelPool host = hostPool(key);
        dialer.open(key, trace, loops.next()).addListener(f -> {
            if (!f.isSuccess()) {
                java.io.IOException failure = f.cause() instanceof java.io.IOException io ? io : new ConnectFailure(key, f.cause());
                core.connectFailed(slot, failure);
                core.closed(slot, CloseReason.PEER_CLOSED); // no channel reached the pool: the slot is given back here
                promise.tryFailure(failure);
                return;
            }
            established(slot, host, promise, (Channel) f.getNow(), trace);
        });
    }

    /** The channel is connected (tunnelled, through a proxy): its handlers go in, and its close is the pool's from now on. */
    private void established(PooledConnection<Channel> slot, HostChannelPool host, Promise<Channel> promise, Channel channel,
                             RequestTrace trace) {
        PoolKey key = slot.key();
        ConnectionContext cx = new ConnectionContext(slot, core, host, clientClosing);
        Readiness readiness = new Readiness(slot, promise);
        readiness.channel = channel;
        cx.readiness(readiness);
        allChannels.add(channel);
        // The one place a socket's close reaches the core pool: every path that closes a channel ends here.
        channel.closeFuture().addListener(f -> {
            cx.idleTimer().cancel();
            core.closed(slot, CloseReason.PEER_CLOSED); // a retired connection counts its own reason
        });
        if (!channel.isActive()) {
            readiness.failed(new ConnectFailure(key, new java.nio.channels.ClosedChannelException()));
            return;
        }
        channel.pipeline().addLast(new PipelineInitializer(cx, settings, http2, openStreams));
        Dialer.handOver(channel);
        SslHandler tls = PipelineInitializer.tls(channel);
        if (tls == null) {
            if (http2 == null || !http2.priorKnowledge() || !mayMultiplex(key)) {
                cx.readiness().http1();
            } // else h2c: ready with the server's first settings
            return;
        }
        if (trace != null) {
            trace.tlsStart();
        }
        tls.handshakeFuture().addListener(h -> {
            if (h.isSuccess()) {
                if (trace != null) {
                    trace.tlsEnd(tls.engine().getSession());
                }
                // The protocol's handlers go in next, chosen by ALPN; they say when the connection is ready.
            } else {
                Throwable cause = h.cause() instanceof SslHandshakeTimeoutException
                        ? new HttpTimeoutException(HttpTimeoutException.Phase.HANDSHAKE, settings.handshakeTimeout(), key.toString())
                        : h.cause();
                core.connectFailed(slot, cause instanceof java.io.IOException io ? io : new ConnectFailure(key, cause));
                channel.close();
                promise.tryFailure(cause);
            }
        });
    }

    /** What a connection opened for a slot turned out to be, told once by its pipeline. */
    private final class Readiness implements ConnectionReadiness {
        private final PooledConnection<Channel> slot;
        private final Promise<Channel> promise;
        private Channel channel; // set once the connect has a channel, before any of the callbacks

        Readiness(PooledConnection<Channel> slot, Promise<Channel> promise) {
            this.slot = slot;
            this.promise = promise;
        }

        /** The connection is ready for requests (TCP connected, TLS handshake done, HTTP/1.1 chosen). */
        @Override
        public void http1() {
            PoolKey key = slot.key();
            if (key.scheme().equals("https") && http2 != null && http2.offered()) {
                // Remembered before the pool hears of it, so the requests that waited on this connect open their own.
                http1Only.put(key, System.nanoTime() + HTTP1_ONLY_MEMORY_NANOS);
            }
            if (!core.connected(slot, channel)) {
                channel.close();
                promise.tryFailure(new io.keepwell.http.ClientClosedException("the client was closed while connecting"));
            } else if (!promise.trySuccess(channel)) {
                HostChannelPool.releaseUnused(channel); // a connect started for a caller that left still lands in the pool
            }
        }

        /** HTTP/2, with the server's first settings: the slot's waiter has the first stream slot. */
        @Override
        public void http2(int maxStreams) {
            http1Only.remove(slot.key());
            if (!core.connectedMultiplexed(slot, channel, maxStreams)) {
                channel.close();
                promise.tryFailure(new io.keepwell.http.ClientClosedException("the client was closed while connecting"));
            } else if (!promise.trySuccess(channel)) {
                HostChannelPool.releaseUnused(channel);
            }
        }

        @Override
        public void failed(Throwable cause) {
            java.io.IOException failure = cause instanceof java.io.IOException io ? io : new ConnectFailure(slot.key(), cause);
            core.connectFailed(slot, failure);
            channel.close();
            promise.tryFailure(failure);
        }
    }

    /** An event loop for timers that belong to no channel (acquire timeouts). */
    io.netty.util.concurrent.EventExecutor timers() {
        return loops.next();
    }

    /** The dialer that opens this pool's connections. */
    public Dialer dialer() {
        return dialer;
    }
}
