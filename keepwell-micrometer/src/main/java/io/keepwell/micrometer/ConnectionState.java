package io.keepwell.micrometer;

import io.keepwell.pool.PoolStats;

import java.util.Locale;
import java.util.function.ToIntFunction;

/** The values of the {@code state} tag of {@code keepwell.pool.connections}, each read from a host's {@link PoolStats}. */
enum ConnectionState {
    /** Connections whose socket is not closed: connecting, active, idle or closing. */
    OPEN(PoolStats::open),
    IDLE(PoolStats::idle),
    ACTIVE(PoolStats::active),
    /** Requests waiting for a connection (not connections, but the pool's queue for the host). */
    PENDING(PoolStats::pending),
    CONNECTING(PoolStats::connecting);

    final String tagValue = name().toLowerCase(Locale.ROOT);
    private final ToIntFunction<PoolStats> count;

    ConnectionState(ToIntFunction<PoolStats> count) {
        this.count = count;
    }

    int of(PoolStats stats) {
        return count.applyAsInt(stats);
    }
}
