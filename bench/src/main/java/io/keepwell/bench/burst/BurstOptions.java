package io.keepwell.bench.burst;

import io.keepwell.netty.Transport;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of one burst run.
 *
 * @param burst      concurrent requests, all held by the server until the last has arrived
 * @param maxIdle    the client's {@code maxIdlePerHost}: connections it may keep after the burst
 * @param ioThreads  the client's event-loop threads
 * @param transport  the client's transport (the server uses the same)
 * @param timeout    the deadline of each wait: the burst, the settling, the closing
 */
public record BurstOptions(int burst, int maxIdle, int ioThreads, Transport transport, Duration timeout) {

    /** 100 requests and 2 idle connections, as in Go's {@code TestTransportPersistConnLeak}. */
    public static final int DEFAULT_BURST = 100;
    public static final int DEFAULT_MAX_IDLE = 2;
    public static final int DEFAULT_IO_THREADS = 2;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(20);

    public BurstOptions {
        if (burst < 1) {
            throw new IllegalArgumentException("burst must be at least 1: " + burst);
        }
        if (maxIdle < 0) {
            throw new IllegalArgumentException("max idle must not be negative: " + maxIdle);
        }
        if (ioThreads < 1) {
            throw new IllegalArgumentException("io threads must be at least 1: " + ioThreads);
        }
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
    }

    public static BurstOptions defaults() {
        return new BurstOptions(DEFAULT_BURST, DEFAULT_MAX_IDLE, DEFAULT_IO_THREADS, Transport.AUTO, DEFAULT_TIMEOUT);
    }
}
