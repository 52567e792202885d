package io.keepwell.netty.handler;

import io.keepwell.keepalive.KeepAliveVerdict;
import io.keepwell.pool.ConnectionPool;
import io.keepwell.pool.PooledConnection;
import io.netty.channel.Channel;
import io.netty.channel.pool.ChannelPool;
import io.netty.util.AttributeKey;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What one channel knows about its place in the pool: its core record, the host pool it is
 * released to, and the last keep-alive verdict. Stored as a channel attribute.
 */
public final class ConnectionContext {

    public static final AttributeKey<ConnectionContext> KEY = AttributeKey.valueOf(ConnectionContext.class, "keepwell.connection");

    private final PooledConnection<Channel> pooled;
    private final ConnectionPool<Channel> core;
    private final ChannelPool owner;
    private final AtomicBoolean clientClosing;
    private final IdleTimer idleTimer;
    private KeepAliveVerdict lastVerdict = KeepAliveVerdict.RESPONSE_INCOMPLETE; // event loop only
    private boolean leasedBefore;                                               // event loop only
    private long serverIdleTimeoutNanos = Long.MAX_VALUE;                        // event loop only
    private int lease;                                                          // event loop only: the lease being served

    public ConnectionContext(PooledConnection<Channel> pooled, ConnectionPool<Channel> core, ChannelPool owner,
                             AtomicBoolean clientClosing) {
        this.pooled = pooled;
        this.core = core;
        this.owner = owner;
        this.clientClosing = clientClosing;
        this.idleTimer = new IdleTimer(core, pooled);
    }

    /** The channel's idle-expiry timer; event loop only. */
    public IdleTimer idleTimer() {
        return idleTimer;
    }

    public static ConnectionContext of(Channel channel) {
        ConnectionContext cx = channel.attr(KEY).get();
        if (cx == null) {
            throw new IllegalStateException("not a Keepwell channel: " + channel);
        }
        return cx;
    }

    public PooledConnection<Channel> pooled() {
        return pooled;
    }

    public ConnectionPool<Channel> core() {
        return core;
    }

    /** The host pool this channel is released to. */
    public ChannelPool owner() {
        return owner;
    }

    public boolean clientClosing() {
        return clientClosing.get();
    }

    /** The keep-alive verdict of the exchange that just finished; read by the release callback. */
    public KeepAliveVerdict lastVerdict() {
        return lastVerdict;
    }

    public void lastVerdict(KeepAliveVerdict verdict) {
        this.lastVerdict = verdict;
    }

    /** The server's idle limit from its last {@code Keep-Alive} header, or {@link Long#MAX_VALUE}. */
    public long serverIdleTimeoutNanos() {
        return serverIdleTimeoutNanos;
    }

    void serverIdleTimeoutNanos(long nanos) {
        this.serverIdleTimeoutNanos = nanos;
    }

    /**
     * Records a lease (its number from the core pool, passed back on release); returns whether
     * the channel had been leased before (the lease is a reuse).
     */
    public boolean markLeased() {
        lease = pooled.lease();
        boolean before = leasedBefore;
        leasedBefore = true;
        return before;
    }

    /** The number of the lease this channel serves now. */
    public int lease() {
        return lease;
    }
}
