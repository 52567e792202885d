package io.keepwell.netty.pool;

import io.keepwell.netty.handler.ConnectionContext;
import io.keepwell.netty.handler.PipelineInitializer;
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
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.keepwell.netty.handler.ChannelSettings;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.Promise;

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

    /** Opens a channel in {@code slot} for {@code promise}; a connection nobody wants any more goes to the pool. */
    void connect(PooledConnection<Channel> slot, HostChannelPool host, Promise<Channel> promise) {
        ConnectionContext cx = new ConnectionContext(slot, core, host, clientClosing);
        Bootstrap b = bootstrap.clone().handler(new PipelineInitializer(cx, settings));
        PoolKey key = slot.key();
        ChannelFuture connect = b.connect(key.host(), key.port());
        Channel channel = connect.channel();
        if (connect.isDone() && !connect.isSuccess() && !channel.isRegistered()) {
            // Failed before registration (out of file descriptors): its close future never fires.
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
                // Closed first, so the pool has its slot back before the caller hears of the failure.
                channel.close();
                promise.tryFailure(cause instanceof io.netty.channel.ConnectTimeoutException
                        ? new HttpConnectTimeoutException(settings.connectTimeout(), key.toString())
                        : new ConnectFailure(key, cause));
            } else if (PipelineInitializer.tls(channel) != null) {
                PipelineInitializer.tls(channel).handshakeFuture().addListener(h -> {
                    if (h.isSuccess()) {
                        established(slot, channel, host, promise);
                    } else {
                        Throwable cause = h.cause() instanceof SslHandshakeTimeoutException
                                ? new HttpTimeoutException(HttpTimeoutException.Phase.HANDSHAKE, settings.handshakeTimeout(), key.toString())
                                : h.cause();
                        channel.close();
                        promise.tryFailure(cause);
                    }
                });
            } else {
                established(slot, channel, host, promise);
            }
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
