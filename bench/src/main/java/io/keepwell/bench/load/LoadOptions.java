package io.keepwell.bench.load;

import io.keepwell.netty.KeepwellHttpClient;
import io.keepwell.netty.Transport;
import io.keepwell.pool.PoolConfig;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of one closed-loop load run.
 *
 * @param target          the URL, or {@code null} to start the embedded server
 * @param concurrency     requests in flight at every moment
 * @param duration        the measured window
 * @param warmup          time before the window, run the same way but not measured
 * @param method          the request method
 * @param bodySize        request body bytes (0 for none)
 * @param responseSize    body bytes of the embedded server's responses
 * @param maxIdle         the pool's {@code maxIdlePerHost}
 * @param maxConnections  the pool's {@code maxConnectionsPerHost}; 0 for no limit
 * @param ioThreads       the client's event-loop threads
 * @param transport       the client's (and the embedded server's) transport
 * @param serverThreads   the embedded server's event-loop threads
 * @param progress        whether to print a progress line every second
 * @param client          which HTTP client the loop drives (the pool and transport settings
 *                        above are Keepwell's; each peer sizes its own pool to C, see its class)
 * @param http2           HTTP/2's shape and settings, or {@code null} for HTTP/1.1; when set, every
 *                        client (Keepwell too) may open {@code http2.connections()} connections
 */
public record LoadOptions(
        URI target,
        int concurrency,
        Duration duration,
        Duration warmup,
        String method,
        int bodySize,
        int responseSize,
        int maxIdle,
        int maxConnections,
        int ioThreads,
        Transport transport,
        int serverThreads,
        boolean progress,
        ClientKind client,
        Http2Options http2) {

    /** An HTTP/1.1 run. */
    public LoadOptions(URI target, int concurrency, Duration duration, Duration warmup, String method, int bodySize,
                       int responseSize, int maxIdle, int maxConnections, int ioThreads, Transport transport,
                       int serverThreads, boolean progress, ClientKind client) {
        this(target, concurrency, duration, warmup, method, bodySize, responseSize, maxIdle, maxConnections, ioThreads,
                transport, serverThreads, progress, client, null);
    }

    /** Keepwell's run, as before peers existed. */
    public LoadOptions(URI target, int concurrency, Duration duration, Duration warmup, String method, int bodySize,
                       int responseSize, int maxIdle, int maxConnections, int ioThreads, Transport transport,
                       int serverThreads, boolean progress) {
        this(target, concurrency, duration, warmup, method, bodySize, responseSize, maxIdle, maxConnections, ioThreads,
                transport, serverThreads, progress, ClientKind.KEEPWELL);
    }

    /** The same settings with another client. */
    public LoadOptions withClient(ClientKind other) {
        return new LoadOptions(target, concurrency, duration, warmup, method, bodySize, responseSize, maxIdle,
                maxConnections, ioThreads, transport, serverThreads, progress, other, http2);
    }

    /** The same settings over HTTP/2 (concurrency becomes connections × streams), or HTTP/1.1 for {@code null}. */
    public LoadOptions withHttp2(Http2Options settings) {
        return new LoadOptions(target, settings == null ? concurrency : settings.concurrency(), duration, warmup, method,
                bodySize, responseSize, maxIdle, settings == null ? maxConnections : settings.connections(), ioThreads,
                transport, serverThreads, progress, client, settings);
    }

    /** {@code http/1.1}, {@code h2} or {@code h2c}. */
    public String protocolLabel() {
        return http2 == null ? "http/1.1" : http2.mode().label();
    }

    public LoadOptions {
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be at least 1: " + concurrency);
        }
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(warmup, "warmup");
        if (duration.isZero() || duration.isNegative()) {
            throw new IllegalArgumentException("duration must be positive: " + duration);
        }
        if (warmup.isNegative()) {
            throw new IllegalArgumentException("warmup must not be negative: " + warmup);
        }
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(client, "client");
        if (bodySize < 0 || responseSize < 0 || maxIdle < 0 || maxConnections < 0) {
            throw new IllegalArgumentException("sizes and pool limits must not be negative");
        }
        if (ioThreads < 1 || serverThreads < 1) {
            throw new IllegalArgumentException("thread counts must be at least 1");
        }
        if (http2 != null && (concurrency != http2.concurrency() || maxConnections != http2.connections())) {
            throw new IllegalArgumentException("an HTTP/2 run has C = connections x streams and maxConnections = connections: "
                    + concurrency + ", " + maxConnections + " for " + http2.shape());
        }
    }

    /**
     * The idle cap a load run uses unless told otherwise: room for every connection the run keeps
     * busy, so the measurement is of reuse, not of reconnecting (pass {@code --max-idle} to see churn).
     */
    public static int defaultMaxIdle(int concurrency) {
        return Math.max(concurrency, PoolConfig.DEFAULT_MAX_IDLE_PER_HOST);
    }

    /** The pool for this run. */
    public PoolConfig poolConfig() {
        return PoolConfig.builder()
                .maxIdlePerHost(maxIdle)
                .maxIdleTotal(Math.max(maxIdle, PoolConfig.DEFAULT_MAX_IDLE_TOTAL))
                .maxConnectionsPerHost(maxConnections)
                .maxPendingAcquires(Math.max(concurrency, PoolConfig.DEFAULT_MAX_PENDING_ACQUIRES))
                .build();
    }

    /**
     * A Keepwell client builder with this run's pool, event-loop threads and transport (every
     * Keepwell-based client's), and over HTTP/2 its version, trust and windows
     * ({@link KeepwellHttp2#configure}).
     */
    public KeepwellHttpClient.Builder keepwellBuilder() {
        KeepwellHttpClient.Builder b = KeepwellHttpClient.newBuilder()
                .pool(poolConfig())
                .eventLoopThreads(ioThreads)
                .transport(transport);
        String spin = System.getProperty("keepwell.bench.ioSpinMicros"); // to measure the spin against none
        if (spin != null) {
            b.ioSpin(java.time.Duration.ofNanos(Long.parseLong(spin) * 1000));
        }
        return http2 == null ? b.version(java.net.http.HttpClient.Version.HTTP_1_1) : KeepwellHttp2.configure(b, http2);
    }
}
