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
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.ChannelGroupFuture;
import io.netty.channel.group.DefaultChannelGroup;
import io.keepwell.http.HttpConnectTimeoutException;
import io.keepwell.http.HttpTimeoutException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.netty.resolver.AddressResolver;
import io.netty.util.NetUtil;
import io.keepwell.netty.handler.ChannelSettings;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.Promise;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
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
    private final Bootstrap bootstrap;
    private final ChannelSettings settings;
    private final AtomicBoolean clientClosing;
    private final ChannelGroup allChannels = new DefaultChannelGroup("keepwell", GlobalEventExecutor.INSTANCE);
    private final Http2Options http2; // null: HTTP/1.1 only
    private final AtomicInteger openStreams = new AtomicInteger();
    private final Map<PoolKey, Long> http1Only = new ConcurrentHashMap<>(); // origins whose ALPN chose HTTP/1.1, until (nanoTime)

    /** How long an origin whose ALPN chose HTTP/1.1 is connected to without waiting on a possible HTTP/2 connect. */
    static final long HTTP1_ONLY_MEMORY_NANOS = TimeUnit.MINUTES.toNanos(10);

    /**
     * Creates the client's one core pool, with this bridge as its transport hooks. {@code bootstrap}
     * has its group, channel class and options set; its handler is set per connection.
     * {@code http2} null speaks HTTP/1.1 only.
     */
    public ChannelPools(PoolConfig config, PoolListener listener, Bootstrap bootstrap, ChannelSettings settings,
                        AtomicBoolean clientClosing, Http2Options http2) {
        this.core = new ConnectionPool<>(config, Clock.system(), listener, this);
        this.bootstrap = bootstrap;
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
            return http2.priorKnowledge();
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
     * The pool view for one host. Views hold no state, so none is cached: a client that talks to
     * many hosts keeps no per-host object beyond what the core pool holds (and prunes).
     */
    public HostChannelPool hostPool(PoolKey key) {
        return new HostChannelPool(key, this);
    }

    /** Every channel not yet closed. */
    public int openChannels() {
        return allChannels.size();
    }

    /** Every open channel; for tests. */
    public java.util.List<Channel> openChannelsForTesting() {
        return java.util.List.copyOf(allChannels);
    }

    /** Closes every channel; in-flight exchanges fail. */
    public ChannelGroupFuture closeAll() {
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
     * Opens a channel in {@code slot} for {@code promise}; a connection nobody wants any more goes
     * to the pool. With a {@code trace} (non-null), a host name is resolved here, so that its
     * lookup can be timed, and the connect goes to the first address, as Netty's own connect does.
     */
    void connect(PooledConnection<Channel> slot, HostChannelPool host, Promise<Channel> promise, RequestTrace trace) {
        PoolKey key = slot.key();
        if (trace == null) {
            open(slot, host, promise, null, null);
        } else if (NetUtil.createByteArrayFromIpAddressString(key.host()) != null) {
            open(slot, host, promise, new InetSocketAddress(NetUtil.createInetAddressFromIpAddressString(key.host()), key.port()), trace);
        } else {
            trace.dnsStart(key.host());
            AddressResolver<? extends SocketAddress> resolver = bootstrap.config().resolver().getResolver(timers());
            resolver.resolveAll(InetSocketAddress.createUnresolved(key.host(), key.port())).addListener(resolved -> {
                if (resolved.isSuccess()) {
                    List<InetSocketAddress> addresses = ((List<?>) resolved.getNow()).stream().map(InetSocketAddress.class::cast).toList();
                    trace.dnsEnd(key.host(), addresses.stream().map(InetSocketAddress::getAddress).toList());
                    open(slot, host, promise, addresses.get(0), trace);
                } else {
                    core.closed(slot, CloseReason.PEER_CLOSED);
                    promise.tryFailure(new ConnectFailure(key, resolved.cause()));
                }
            });
        }
    }

    /** Connects to {@code address}, or resolves the key's host through the bootstrap when it is null (no trace). */
    private void open(PooledConnection<Channel> slot, HostChannelPool host, Promise<Channel> promise,
                      InetSocketAddress address, RequestTrace trace) {
        ConnectionContext cx = new ConnectionContext(slot, core, host, clientClosing);
        // Set before the connect: a connect made on an event loop registers, and so builds its pipeline, at once.
        Readiness readiness = new Readiness(slot, host, promise);
        cx.readiness(readiness);
        Bootstrap b = bootstrap.clone().handler(new PipelineInitializer(cx, settings, http2, openStreams));
        PoolKey key = slot.key();
        if (trace != null) {
            trace.connectStart(address);
        }
        ChannelFuture connect = address == null ? b.connect(key.host(), key.port()) : b.connect(address);
        Channel channel = connect.channel();
        readiness.channel = channel; // told to it only by the pipeline, after this
        if (connect.isDone() && !connect.isSuccess() && !channel.isRegistered()) {
            // Failed before registration (out of file descriptors), or failed so fast (a refused
            // loopback connect) that the channel is already deregistered: either way no close
            // listener was added, so the slot is given back here.
            if (trace != null) {
                trace.connectFailed(address, connect.cause());
            }
            ConnectFailure failure = new ConnectFailure(key, connect.cause());
            core.connectFailed(slot, failure);
            core.closed(slot, CloseReason.PEER_CLOSED);
            promise.tryFailure(failure);
            return;
        }
        allChannels.add(channel);
        // The one place a socket's close reaches the core pool: every path that closes a channel ends here.
        channel.closeFuture().addListener(f -> {
            cx.idleTimer().cancel();
            core.closed(slot, CloseReason.PEER_CLOSED); // a retired connection counts its own reason
        });
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                Throwable cause = f.cause();
                if (trace != null) {
                    trace.connectFailed(address, cause);
                }
                java.io.IOException failure = cause instanceof io.netty.channel.ConnectTimeoutException
                        ? new HttpConnectTimeoutException(settings.connectTimeout(), key.toString())
                        : new ConnectFailure(key, cause);
                core.connectFailed(slot, failure);
                // Closed first, so the pool has its slot back before the caller hears of the failure.
                channel.close();
                promise.tryFailure(failure);
                return;
            }
            if (trace != null) {
                trace.connectEnd(address);
            }
            SslHandler tls = PipelineInitializer.tls(channel);
            if (tls == null) {
                if (http2 == null || !http2.priorKnowledge()) {
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
        });
    }

    /** What a connection opened for a slot turned out to be, told once by its pipeline. */
    private final class Readiness implements ConnectionReadiness {
        private final PooledConnection<Channel> slot;
        private final HostChannelPool host;
        private final Promise<Channel> promise;
        private Channel channel; // set once the connect has a channel, before any of the callbacks

        Readiness(PooledConnection<Channel> slot, HostChannelPool host, Promise<Channel> promise) {
            this.slot = slot;
            this.host = host;
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
                host.releaseUnused(channel); // a connect started for a caller that left still lands in the pool
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
                host.releaseUnused(channel);
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
        return bootstrap.config().group().next();
    }
}
