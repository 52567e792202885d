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
    private final int maxStreamsPerConnection;
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
        this.maxStreamsPerConnection = b.maxStreamsPerConnection;
        this.idleTimeout = b.idleTimeout;
        this.acquireTimeout = b.acquireTimeout;
        this.maxLifetime = b.maxLifetime;
        this.lifetimeJitter = b.lifetimeJitter;
        this.keepAlive = b.keepAlive;
    }

    /**
     * A builder holding every default; set only what differs.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The defaults: the {@code DEFAULT_*} constants, no maximum lifetime, keep-alive on.
     *
     * @return a configuration with every default
     */
    public static PoolConfig defaults() {
        return builder().build();
    }

    /**
     * Idle connections kept per host; 0 keeps none.
     *
     * @return the per-host idle cap, at least 0; default {@value #DEFAULT_MAX_IDLE_PER_HOST}
     */
    public int maxIdlePerHost() {
        return maxIdlePerHost;
    }

    /**
     * Idle connections kept across all hosts; past it, the least recently used is evicted.
     *
     * @return the total idle cap, at least 0 (0 keeps no connection idle); default
     *         {@value #DEFAULT_MAX_IDLE_TOTAL}
     */
    public int maxIdleTotal() {
        return maxIdleTotal;
    }

    /**
     * Connections per host, connecting, active and idle together.
     *
     * @return the per-host connection cap; 0 (the default) means no limit
     */
    public int maxConnectionsPerHost() {
        return maxConnectionsPerHost;
    }

    /**
     * Requests that may wait for a connection per host before new ones fail with
     * {@link PoolExhaustedException}.
     *
     * @return the per-host queue length, at least 0; default {@value #DEFAULT_MAX_PENDING_ACQUIRES}
     */
    public int maxPendingAcquires() {
        return maxPendingAcquires;
    }

    /**
     * How long a connection may stay idle before it is closed; a server's
     * {@code Keep-Alive: timeout} can shorten it for one connection, never extend it.
     *
     * @return the idle timeout, positive; default 30 s
     */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /**
     * How long a request may wait for a connection when the host is at its cap, before it fails
     * with {@link AcquireTimeoutException}.
     *
     * @return the acquire timeout, positive; default 30 s
     */
    public Duration acquireTimeout() {
        return acquireTimeout;
    }

    /**
     * Age, counted from the start of its connect, after which a connection is not reused.
     *
     * @return the maximum lifetime; {@link Duration#ZERO} (the default) means no limit
     */
    public Duration maxLifetime() {
        return maxLifetime;
    }

    /**
     * Up to this much is taken off each connection's lifetime at random, so connections opened
     * together do not expire together.
     *
     * @return the jitter, below {@link #maxLifetime()}; {@link Duration#ZERO} (the default) for none
     */
    public Duration lifetimeJitter() {
        return lifetimeJitter;
    }

    /**
     * Whether connections are kept for reuse at all.
     *
     * @return {@code true} (the default) to pool connections; {@code false} to close each after one
     *         request
     */
    public boolean keepAlive() {
        return keepAlive;
    }

    /**
     * Most streams the client opens at once on one multiplexed (HTTP/2) connection, below the
     * server's own limit; 0 (the default) takes the server's limit as it is.
     *
     * @return the client's cap on concurrent streams per connection, 0 for none
     */
    public int maxStreamsPerConnection() {
        return maxStreamsPerConnection;
    }

    @Override
    public String toString() {
        return "PoolConfig{maxIdlePerHost=" + maxIdlePerHost + ", maxIdleTotal=" + maxIdleTotal
                + ", maxConnectionsPerHost=" + maxConnectionsPerHost + ", maxPendingAcquires=" + maxPendingAcquires
                + ", maxStreamsPerConnection=" + maxStreamsPerConnection
                + ", idleTimeout=" + idleTimeout + ", acquireTimeout=" + acquireTimeout
                + ", maxLifetime=" + maxLifetime + ", lifetimeJitter=" + lifetimeJitter + ", keepAlive=" + keepAlive + '}';
    }

    /** Collects settings; {@link #build()} validates them together. */
    public static final class Builder {
        private int maxIdlePerHost = DEFAULT_MAX_IDLE_PER_HOST;
        private int maxIdleTotal = DEFAULT_MAX_IDLE_TOTAL;
        private int maxConnectionsPerHost = DEFAULT_MAX_CONNECTIONS_PER_HOST;
        private int maxPendingAcquires = DEFAULT_MAX_PENDING_ACQUIRES;
        private int maxStreamsPerConnection;
        private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
        private Duration acquireTimeout = DEFAULT_ACQUIRE_TIMEOUT;
        private Duration maxLifetime = Duration.ZERO;
        private Duration lifetimeJitter = Duration.ZERO;
        private boolean keepAlive = true;

        private Builder() {
        }

        /**
         * Idle connections kept per host; 0 keeps none. Default {@value #DEFAULT_MAX_IDLE_PER_HOST}.
         *
         * @param n the per-host idle cap, at least 0
         * @return this builder
         * @throws IllegalArgumentException if {@code n} is negative
         */
        public Builder maxIdlePerHost(int n) {
            this.maxIdlePerHost = requireNonNegative(n, "maxIdlePerHost");
            return this;
        }

        /**
         * Idle connections kept across all hosts. Default {@value #DEFAULT_MAX_IDLE_TOTAL}.
         *
         * @param n the total idle cap, at least 0; 0 keeps no connection idle
         * @return this builder
         * @throws IllegalArgumentException if {@code n} is negative
         */
        public Builder maxIdleTotal(int n) {
            this.maxIdleTotal = requireNonNegative(n, "maxIdleTotal");
            return this;
        }

        /**
         * Connections per host, connecting, active and idle together; 0 means no limit (the default).
         *
         * @param n the per-host connection cap, at least 0
         * @return this builder
         * @throws IllegalArgumentException if {@code n} is negative
         */
        public Builder maxConnectionsPerHost(int n) {
            this.maxConnectionsPerHost = requireNonNegative(n, "maxConnectionsPerHost");
            return this;
        }

        /**
         * Requests waiting per host once it is at its cap. Default {@value #DEFAULT_MAX_PENDING_ACQUIRES}.
         *
         * @param n the per-host queue length, at least 0; 0 fails a request at once when the host
         *          is at its cap
         * @return this builder
         * @throws IllegalArgumentException if {@code n} is negative
         */
        public Builder maxPendingAcquires(int n) {
            this.maxPendingAcquires = requireNonNegative(n, "maxPendingAcquires");
            return this;
        }

        /**
         * Most streams at once on one multiplexed (HTTP/2) connection, below the server's
         * {@code SETTINGS_MAX_CONCURRENT_STREAMS}; 0 (the default) takes the server's limit. With
         * {@link #maxConnectionsPerHost(int)} it shapes a host's load, such as 4 connections of 64
         * streams; requests beyond both wait for a stream slot.
         *
         * @param n the cap, at least 0
         * @return this builder
         * @throws IllegalArgumentException if {@code n} is negative
         */
        public Builder maxStreamsPerConnection(int n) {
            this.maxStreamsPerConnection = requireNonNegative(n, "maxStreamsPerConnection");
            return this;
        }

        /**
         * Idle time before a connection closes. Default 30 s.
         *
         * @param d the idle timeout; positive, not {@code null}
         * @return this builder
         * @throws IllegalArgumentException if {@code d} is zero or negative
         */
        public Builder idleTimeout(Duration d) {
            this.idleTimeout = requirePositive(d, "idleTimeout");
            return this;
        }

        /**
         * Wait for a connection when the host is at its cap. Default 30 s.
         *
         * @param d the acquire timeout; positive, not {@code null}
         * @return this builder
         * @throws IllegalArgumentException if {@code d} is zero or negative
         */
        public Builder acquireTimeout(Duration d) {
            this.acquireTimeout = requirePositive(d, "acquireTimeout");
            return this;
        }

        /**
         * Age after which a connection is not reused; zero (the default) means no limit.
         *
         * @param d the maximum lifetime; zero or positive, not {@code null}
         * @return this builder
         * @throws IllegalArgumentException if {@code d} is negative
         */
        public Builder maxLifetime(Duration d) {
            Objects.requireNonNull(d, "maxLifetime");
            if (d.isNegative()) {
                throw new IllegalArgumentException("maxLifetime must not be negative: " + d);
            }
            this.maxLifetime = d;
            return this;
        }

        /**
         * Random amount up to which each connection's lifetime is shortened; zero by default. A
         * non-zero jitter needs a {@link #maxLifetime(Duration)} above it, checked by {@link #build()}.
         *
         * @param d the jitter; zero or positive, not {@code null}
         * @return this builder
         * @throws IllegalArgumentException if {@code d} is negative
         */
        public Builder lifetimeJitter(Duration d) {
            Objects.requireNonNull(d, "lifetimeJitter");
            if (d.isNegative()) {
                throw new IllegalArgumentException("lifetimeJitter must not be negative: " + d);
            }
            this.lifetimeJitter = d;
            return this;
        }

        /**
         * Whether connections are reused; true by default.
         *
         * @param keepAlive {@code false} to close every connection after its request
         * @return this builder
         */
        public Builder keepAlive(boolean keepAlive) {
            this.keepAlive = keepAlive;
            return this;
        }

        /**
         * Validates the settings together and builds the configuration.
         *
         * @return an immutable configuration
         * @throws IllegalArgumentException if a lifetime jitter is set without a maximum lifetime,
         *                                  or is not below it
         */
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
