package io.keepwell.pool;

import java.util.EnumMap;
import java.util.Map;

/**
 * A consistent snapshot of the pool. The first six counts are current; the rest are running
 * totals since the pool was created.
 *
 * @param open                      connections whose socket is not closed (connecting, active, idle or closing)
 * @param idle                      connections in the idle pool
 * @param active                    connections leased to a request
 * @param connecting                connections being established
 * @param pending                   requests waiting for a connection
 * @param streams                   stream slots taken on multiplexed (HTTP/2) connections: streams
 *                                  open, or reserved and about to open
 * @param opened                    connections established
 * @param reused                    times a request got a connection that had served before
 * @param closed                    connections whose socket closed after being established
 * @param retried                   requests sent again after failing on a reused connection
 * @param refusedKeepAliveDisabled  offers refused: keep-alive off
 * @param refusedNotReusable        offers refused: the connection was not fit for reuse
 * @param refusedTooManyIdleForHost offers refused: the host's idle cap was reached
 * @param refusedTooManyIdleTotal   offers refused: no idle connection allowed at all
 * @param refusedLifetimeExpired    offers refused: past the maximum lifetime
 * @param refusedClosingIdle        offers refused: after {@code closeIdleConnections()}
 * @param refusedPoolClosed         offers refused: the pool was closed
 * @param refusedGoAway             multiplexed connections refused at their last stream's end after a GOAWAY
 * @param closedByReason            closes counted per reason (every reason present)
 */
public record PoolStats(
        int open,
        int idle,
        int active,
        int connecting,
        int pending,
        int streams,
        long opened,
        long reused,
        long closed,
        long retried,
        long refusedKeepAliveDisabled,
        long refusedNotReusable,
        long refusedTooManyIdleForHost,
        long refusedTooManyIdleTotal,
        long refusedLifetimeExpired,
        long refusedClosingIdle,
        long refusedPoolClosed,
        long refusedGoAway,
        Map<CloseReason, Long> closedByReason) {

    private static final Map<CloseReason, Long> NONE_CLOSED = noneClosed();

    /** Nothing open, nothing counted: the stats of a host the pool does not track. */
    public static final PoolStats EMPTY = current(0, 0, 0, 0, 0, 0);

    /**
     * Takes an immutable copy of {@code closedByReason}; the other components are stored as given.
     * The pool builds these; {@link #current} builds per-host ones.
     *
     * @param open                      connections not closed, now
     * @param idle                      idle connections, now
     * @param active                    leased connections, now
     * @param connecting                connections being established, now
     * @param pending                   waiting requests, now
     * @param streams                   stream slots taken, now
     * @param opened                    connections established, in total
     * @param reused                    leases of a connection that had served before, in total
     * @param closed                    established connections closed, in total
     * @param retried                   requests sent again, in total
     * @param refusedKeepAliveDisabled  refusals for {@link RefuseReason#KEEP_ALIVE_DISABLED}
     * @param refusedNotReusable        refusals for {@link RefuseReason#NOT_REUSABLE}
     * @param refusedTooManyIdleForHost refusals for {@link RefuseReason#TOO_MANY_IDLE_FOR_HOST}
     * @param refusedTooManyIdleTotal   refusals for {@link RefuseReason#TOO_MANY_IDLE_TOTAL}
     * @param refusedLifetimeExpired    refusals for {@link RefuseReason#LIFETIME_EXPIRED}
     * @param refusedClosingIdle        refusals for {@link RefuseReason#CLOSING_IDLE}
     * @param refusedPoolClosed         refusals for {@link RefuseReason#POOL_CLOSED}
     * @param refusedGoAway             refusals for {@link RefuseReason#GOAWAY_RECEIVED}
     * @param closedByReason            closes per reason; copied, not {@code null}
     * @throws NullPointerException if {@code closedByReason} is {@code null} or holds a
     *                              {@code null} key or value
     */
    public PoolStats {
        closedByReason = Map.copyOf(closedByReason);
    }

    /**
     * As {@link #current(int, int, int, int, int, int)} with no stream slot taken (a host served
     * over HTTP/1.1 only).
     *
     * @param open       connections whose socket is not closed
     * @param idle       connections in the idle pool
     * @param active     connections leased to a request
     * @param connecting connections being established
     * @param pending    requests waiting for a connection
     * @return stats with those counts, zero streams, zero totals and every close reason at zero
     */
    public static PoolStats current(int open, int idle, int active, int connecting, int pending) {
        return current(open, idle, active, connecting, pending, 0);
    }

    /**
     * Current counts only, every total zero: what the pool knows of one host.
     *
     * @param open       connections whose socket is not closed
     * @param idle       connections in the idle pool
     * @param active     connections leased to a request
     * @param connecting connections being established
     * @param pending    requests waiting for a connection
     * @param streams    stream slots taken on multiplexed connections
     * @return stats with those counts, zero totals and every close reason at zero
     */
    public static PoolStats current(int open, int idle, int active, int connecting, int pending, int streams) {
        return new PoolStats(open, idle, active, connecting, pending, streams, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, NONE_CLOSED);
    }

    private static Map<CloseReason, Long> noneClosed() {
        Map<CloseReason, Long> none = new EnumMap<>(CloseReason.class);
        for (CloseReason reason : CloseReason.values()) {
            none.put(reason, 0L);
        }
        return Map.copyOf(none);
    }

    /**
     * Offers refused for {@code reason}, since the pool was created.
     *
     * @param reason the refusal reason; not {@code null}
     * @return the matching {@code refused*} component
     */
    public long refused(RefuseReason reason) {
        return switch (reason) {
            case KEEP_ALIVE_DISABLED -> refusedKeepAliveDisabled;
            case NOT_REUSABLE -> refusedNotReusable;
            case TOO_MANY_IDLE_FOR_HOST -> refusedTooManyIdleForHost;
            case TOO_MANY_IDLE_TOTAL -> refusedTooManyIdleTotal;
            case LIFETIME_EXPIRED -> refusedLifetimeExpired;
            case CLOSING_IDLE -> refusedClosingIdle;
            case POOL_CLOSED -> refusedPoolClosed;
            case GOAWAY_RECEIVED -> refusedGoAway;
        };
    }

    /**
     * Offers refused for any reason, since the pool was created.
     *
     * @return the sum of {@link #refused(RefuseReason)} over every reason
     */
    public long refusedTotal() {
        long sum = 0;
        for (RefuseReason reason : RefuseReason.values()) {
            sum += refused(reason);
        }
        return sum;
    }

    /**
     * Closes counted under {@code reason}, since the pool was created. Only established
     * connections count; a failed connect does not.
     *
     * @param reason the close reason
     * @return the count for that reason; 0 if none
     */
    public long closedBy(CloseReason reason) {
        return closedByReason.getOrDefault(reason, 0L);
    }
}
