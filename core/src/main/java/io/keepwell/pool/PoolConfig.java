package io.keepwell.pool;

import java.time.Duration;
import java.util.Objects;

/**
 * How the connection pool behaves. Immutable; built and validated once by {@link Builder}.
 * Every default is chosen for a service that calls a few other services all day, in bursts.
 */
public final class PoolConfig {

    /** Default idle connections kept per host: enough to absorb a burst of a typical fan-out without reconnecting. */
    public static final int DEFAULT_MAX_IDLE_PER_HOST = 32;
    /** Default idle connections kept across all hosts. */
    public static final int DEFAULT_MAX_IDLE_TOTAL = 256;
    /** Default cap on connections per host: none, as in Go and the JDK client. */
    public static final int DEFAULT_MAX_CONNECTIONS_PER_HOST = 0;
    /** Default queue of requests waiting for a connection once the host is at its cap. */
    public static final int DEFAULT_MAX_PENDING_ACQUIRES = 1024;
    /** Default idle time after which a connection is closed: below AWS ALB's 60 s and nginx's 75 s, so the client closes first. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);
    /** Default wait for a connection when the host is at its cap. */
    public static final Duration DEFAULT_ACQUIRE_TIMEOUT = Duration.ofSeconds(30);

    private final int maxIdlePerHost;
    private final int maxIdleTotal;
    private final int maxConnectionsPerHost;
    private final int maxPendingAcquires;
    private final Duration idleTimeout;
    private final Duration acquireTimeout;
    private final Duration maxLifetime;
    private final Duration lifetimeJitter;
    private final boolean keepAlive;

    private PoolConfig(Builder b) {
        this.maxIdlePerHost = b.maxIdlePerHost;
        this.maxIdleTotal = b.maxIdleTotal;
        this.maxConnectionsPerHost = b.maxConnectionsPerHost;
        this.maxPendingAcquires = b.maxPendingAcquires;
        this.idleTimeout = b.idleTimeout;
        this.acquireTimeout = b.acquireTimeout;
        this.maxLifetime = b.maxLifetime;
        this.lifetimeJitter = b.lifetimeJitter;
        this.keepAlive = b.keepAlive;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The defaults. */
    public static PoolConfig defaults() {
        return builder().build();
    }

    /** Idle connections kept per host; 0 keeps none. */
    public int maxIdlePerHost() {
        return maxIdlePerHost;
    }

    /** Idle connections kept across all hosts; the least recently used goes first. */
    public int maxIdleTotal() {
        return maxIdleTotal;
    }

    /** Connections per host, connecting, active and idle together; 0 means no limit. */
    public int maxConnectionsPerHost() {
        return maxConnectionsPerHost;
    }

    /** Requests that may wait for a connection per host before new ones are refused. */
    public int maxPendingAcquires() {
        return maxPendingAcquires;
    }

    /** How long a connection may stay idle before it is closed. */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /** How long a request may wait for a connection when the host is at its cap. */
    public Duration acquireTimeout() {
        return acquireTimeout;
    }

    /** Age after which a connection is not reused; {@link Duration#ZERO} means no limit. */
    public Duration maxLifetime() {
        return maxLifetime;
    }

    /** Up to this much is taken off each connection's lifetime at random, so connections opened together do not expire together. */
    public Duration lifetimeJitter() {
        return lifetimeJitter;
    }

    /** Whether connections are kept for reuse at all. */
    public boolean keepAlive() {
        return keepAlive;
    }

    @Override
    public String toString() {
        return "PoolConfig{maxIdlePerHost=" + maxIdlePerHost + ", maxIdleTotal=" + maxIdleTotal
                + ", maxConnectionsPerHost=" + maxConnectionsPerHost + ", maxPendingAcquires=" + maxPendingAcquires
                + ", idleTimeout=" + idleTimeout + ", acquireTimeout=" + acquireTimeout
                + ", maxLifetime=" + maxLifetime + ", lifetimeJitter=" + lifetimeJitter + ", keepAlive=" + keepAlive + '}';
    }

    /** Collects settings; {@link #build()} validates them together. */
    public static final class Builder {
        private int maxIdlePerHost = DEFAULT_MAX_IDLE_PER_HOST;
        private int maxIdleTotal = DEFAULT_MAX_IDLE_TOTAL;
        private int maxConnectionsPerHost = DEFAULT_MAX_CONNECTIONS_PER_HOST;
        private int maxPendingAcquires = DEFAULT_MAX_PENDING_ACQUIRES;
        private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
        private Duration acquireTimeout = DEFAULT_ACQUIRE_TIMEOUT;
        private Duration maxLifetime = Duration.ZERO;
        private Duration lifetimeJitter = Duration.ZERO;
        private boolean keepAlive = true;

        private Builder() {
        }

        /** Idle connections kept per host; 0 keeps none. Default {@value #DEFAULT_MAX_IDLE_PER_HOST}. */
        public Builder maxIdlePerHost(int n) {
            this.maxIdlePerHost = requireNonNegative(n, "maxIdlePerHost");
            return this;
        }

        /** Idle connections kept across all hosts. Default {@value #DEFAULT_MAX_IDLE_TOTAL}. */
        public Builder maxIdleTotal(int n) {
            this.maxIdleTotal = requireNonNegative(n, "maxIdleTotal");
            return this;
        }

        /** Connections per host; 0 means no limit (the default). */
        public Builder maxConnectionsPerHost(int n) {
            this.maxConnectionsPerHost = requireNonNegative(n, "maxConnectionsPerHost");
            return this;
        }

        /** Requests waiting per host once it is at its cap. Default {@value #DEFAULT_MAX_PENDING_ACQUIRES}. */
        public Builder maxPendingAcquires(int n) {
            this.maxPendingAcquires = requireNonNegative(n, "maxPendingAcquires");
            return this;
        }

        /** Idle time before a connection closes; positive. Default 30 s. */
        public Builder idleTimeout(Duration d) {
            this.idleTimeout = requirePositive(d, "idleTimeout");
            return this;
        }

        /** Wait for a connection when the host is at its cap; positive. Default 30 s. */
        public Builder acquireTimeout(Duration d) {
            this.acquireTimeout = requirePositive(d, "acquireTimeout");
            return this;
        }

        /** Age after which a connection is not reused; zero (the default) means no limit. */
        public Builder maxLifetime(Duration d) {
            Objects.requireNonNull(d, "maxLifetime");
            if (d.isNegative()) {
                throw new IllegalArgumentException("maxLifetime must not be negative: " + d);
            }
            this.maxLifetime = d;
            return this;
        }

        /** Random amount up to which each connection's lifetime is shortened; zero by default. */
        public Builder lifetimeJitter(Duration d) {
            Objects.requireNonNull(d, "lifetimeJitter");
            if (d.isNegative()) {
                throw new IllegalArgumentException("lifetimeJitter must not be negative: " + d);
            }
            this.lifetimeJitter = d;
            return this;
        }

        /** Whether connections are reused; true by default. */
        public Builder keepAlive(boolean keepAlive) {
            this.keepAlive = keepAlive;
            return this;
        }

        public PoolConfig build() {
            if (!maxLifetime.isZero() && lifetimeJitter.compareTo(maxLifetime) >= 0) {
                throw new IllegalArgumentException("lifetimeJitter " + lifetimeJitter + " must be below maxLifetime " + maxLifetime);
            }
            if (maxLifetime.isZero() && !lifetimeJitter.isZero()) {
                throw new IllegalArgumentException("lifetimeJitter needs a maxLifetime");
            }
            return new PoolConfig(this);
        }

        private static int requireNonNegative(int n, String name) {
            if (n < 0) {
                throw new IllegalArgumentException(name + " must not be negative: " + n);
            }
            return n;
        }

        private static Duration requirePositive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException(name + " must be positive: " + d);
            }
            return d;
        }
    }
}
