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
import java.util.concurrent.atomic.AtomicBoolean;

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

    /**
     * Creates the client's one core pool, with this bridge as its transport hooks. {@code bootstrap}
     * has its group, channel class and options set; its handler is set per connection.
     */
    public ChannelPools(PoolConfig config, PoolListener listener, Bootstrap bootstrap, ChannelSettings settings,
                        AtomicBoolean clientClosing) {
        this.core = new ConnectionPool<>(config, Clock.system(), listener, this);
        this.bootstrap = bootstrap;
        this.settings = settings;
        this.clientClosing = clientClosing;
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
        Bootstrap b = bootstrap.clone().handler(new PipelineInitializer(cx, settings));
        PoolKey key = slot.key();
        if (trace != null) {
            trace.connectStart(address);
        }
        ChannelFuture connect = address == null ? b.connect(key.host(), key.port()) : b.connect(address);
        Channel channel = connect.channel();
        if (connect.isDone() && !connect.isSuccess() && !channel.isRegistered()) {
            // Failed before registration (out of file descriptors), or failed so fast (a refused
            // loopback connect) that the channel is already deregistered: either way no close
            // listener was added, so the slot is given back here.
            if (trace != null) {
                trace.connectFailed(address, connect.cause());
            }
            core.closed(slot, CloseReason.PEER_CLOSED);
            promise.tryFailure(new ConnectFailure(key, connect.cause()));
            return;
        }
        allChannels.add(channel);
        // The one place a socket's close reaches the core pool: every path that closes a channel ends here.
        channel.closeFuture().addListener(f -> {
            cx.idleTimer().cancel();
            core.closed(slot, CloseReason.PEER_CLOSED);
        });
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                Throwable cause = f.cause();
                if (trace != null) {
                    trace.connectFailed(address, cause);
                }
                // Closed first, so the pool has its slot back before the caller hears of the failure.
                channel.close();
                promise.tryFailure(cause instanceof io.netty.channel.ConnectTimeoutException
                        ? new HttpConnectTimeoutException(settings.connectTimeout(), key.toString())
                        : new ConnectFailure(key, cause));
                return;
            }
            if (trace != null) {
                trace.connectEnd(address);
            }
            SslHandler tls = PipelineInitializer.tls(channel);
            if (tls == null) {
                established(slot, channel, host, promise);
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
                    established(slot, channel, host, promise);
                } else {
                    Throwable cause = h.cause() instanceof SslHandshakeTimeoutException
                            ? new HttpTimeoutException(HttpTimeoutException.Phase.HANDSHAKE, settings.handshakeTimeout(), key.toString())
                            : h.cause();
                    channel.close();
                    promise.tryFailure(cause);
                }
            });
        });
    }

    /** The connection is ready for requests (TCP connected, TLS handshake done). */
    private void established(PooledConnection<Channel> slot, Channel channel, HostChannelPool host, Promise<Channel> promise) {
        if (!core.connected(slot, channel)) {
            channel.close();
            promise.tryFailure(new io.keepwell.http.ClientClosedException("the client was closed while connecting"));
        } else if (!promise.trySuccess(channel)) {
            host.releaseUnused(channel); // a connect started for a caller that left still lands in the pool
        }
    }

    /** An event loop for timers that belong to no channel (acquire timeouts). */
    io.netty.util.concurrent.EventExecutor timers() {
        return bootstrap.config().group().next();
    }
}
