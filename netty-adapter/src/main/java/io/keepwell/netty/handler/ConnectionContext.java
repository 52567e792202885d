package io.keepwell.netty.handler;

import io.keepwell.http.PrematureCloseException;
import io.keepwell.keepalive.KeepAliveVerdict;
import io.keepwell.pool.CloseReason;
import io.keepwell.pool.ConnectionPool;
import io.keepwell.pool.PooledConnection;
import io.netty.channel.Channel;
import io.netty.channel.pool.ChannelPool;
import io.netty.util.AttributeKey;

import java.net.http.HttpClient;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What one channel knows about its place in the pool: its core record, the host pool it is
 * released to, and the last keep-alive verdict. Stored as a channel attribute.
 */
public final class ConnectionContext implements ExchangeCarrier {

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
    private volatile Throwable peerCloseCause;                                 // event loop writes, stream readers read
    private io.keepwell.netty.http2.ConnectionReadiness readiness;              // set before the connect starts
    private ExchangeReader reader;                                              // HTTP/1.1: set once its pipeline is in

    public ConnectionContext(PooledConnection<Channel> pooled, ConnectionPool<Channel> core, ChannelPool owner,
                             AtomicBoolean clientClosing) {
        this.pooled = pooled;
        this.core = core;
        this.owner = owner;
        this.clientClosing = clientClosing;
        this.idleTimer = new IdleTimer(core, pooled);
    }

    /** Told what the connection turned out to be; set by whoever opens it, before it connects. */
    public io.keepwell.netty.http2.ConnectionReadiness readiness() {
        return readiness;
    }

    public void readiness(io.keepwell.netty.http2.ConnectionReadiness readiness) {
        this.readiness = readiness;
    }

    /**
     * The reader of an HTTP/1.1 connection, held here so a lease needs no pipeline lookup;
     * {@code null} before its handlers are in and on HTTP/2 (each stream has its own).
     */
    public ExchangeReader reader() {
        return reader;
    }

    void reader(ExchangeReader reader) {
        this.reader = reader;
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

    @Override
    public boolean clientClosing() {
        return clientClosing.get();
    }

    /** HTTP/1.1: the keep-alive facts are kept for the release callback, which offers the channel to the pool. */
    @Override
    public void release(Channel channel, KeepAliveVerdict verdict, long serverIdleTimeoutNanos) {
        this.lastVerdict = verdict;
        this.serverIdleTimeoutNanos = serverIdleTimeoutNanos;
        owner.release(channel);
    }

    @Override
    public void closing(CloseReason reason) {
        core.markClosing(pooled, reason);
    }

    @Override
    public Throwable closedByPeer(PrematureCloseException.Phase phase, long bytesWritten, boolean reused) {
        return new PrematureCloseException(phase, bytesWritten, reused, peerCloseCause);
    }

    @Override
    public HttpClient.Version version() {
        return HttpClient.Version.HTTP_1_1;
    }

    /** What made this side take the connection as dead (a PING timeout), told with its streams' failures; or null. */
    public Throwable peerCloseCause() {
        return peerCloseCause;
    }

    public void peerCloseCause(Throwable cause) {
        this.peerCloseCause = cause;
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
