package io.keepwell.micrometer;

import io.keepwell.http.HttpTimeoutException;
import io.keepwell.http.RequestListener;
import io.keepwell.pool.CloseReason;
import io.keepwell.pool.OfferVerdict;
import io.keepwell.pool.PoolKey;
import io.keepwell.pool.PoolListener;
import io.keepwell.pool.PoolStats;
import io.keepwell.pool.PooledConnection;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import static io.keepwell.micrometer.KeepwellMeterNames.OUTCOME;
import static io.keepwell.micrometer.KeepwellMeterNames.PROTOCOL;
import static io.keepwell.micrometer.KeepwellMeterNames.REUSED;

/**
 * A client's meters in a {@link MeterRegistry}, fed by its request and pool events; the names and
 * tags are in {@link KeepwellMeterNames}. Every meter an event needs is made once and found again
 * without allocating.
 *
 * <p>Tag cardinality is bounded: the first {@code maxHosts} distinct pool hosts (and, separately,
 * request host names for {@code client.name}) each get their own tag value, kept for the life of
 * this object; every later one is counted under {@code other}. HTTP methods past the standard
 * nine are {@code OTHER}.
 *
 * <p>Retries are counted from the pool's {@link #requestRetried} (it names the host);
 * {@link RequestListener#retried} hears the same retry and is not counted again.
 */
public final class KeepwellMetrics implements RequestListener, PoolListener {

    /** How many hosts get their own tag value unless told otherwise. */
    public static final int DEFAULT_MAX_HOSTS = 100;
    /** How long one snapshot of the pool serves the gauges. */
    static final Duration GAUGE_REFRESH = Duration.ofSeconds(1);

    private final BoundedValues<PoolKey, HostMeters> hosts;
    private final BoundedValues<String, ClientTimers> clients;
    private final PoolGauges gauges;
    private final Timer acquireReused;
    private final Timer acquireNew;
    private final Timer connectSucceeded;
    private final Timer connectFailed;
    private final Timer timeToFirstByte;
    private final Map<String, Timer> tlsByProtocol = new ConcurrentHashMap<>();
    private final Tags commonTags;
    private final MeterRegistry registry;

    private KeepwellMetrics(MeterRegistry registry, Supplier<Map<PoolKey, PoolStats>> statsByHost, Tags commonTags,
                            int maxHosts) {
        this.registry = registry;
        this.commonTags = commonTags;
        hosts = new BoundedValues<>(maxHosts, key -> new HostMeters(key.toString(), registry, commonTags),
                new HostMeters(KeepwellMeterNames.OTHER_HOST, registry, commonTags));
        clients = new BoundedValues<>(maxHosts, name -> new ClientTimers(name, registry, commonTags),
                new ClientTimers(KeepwellMeterNames.OTHER_HOST, registry, commonTags));
        gauges = new PoolGauges(registry, statsByHost, hosts, commonTags, GAUGE_REFRESH);
        acquireReused = acquireTimer("true");
        acquireNew = acquireTimer("false");
        connectSucceeded = connectTimer("SUCCESS");
        connectFailed = connectTimer("FAILURE");
        timeToFirstByte = Timer.builder(KeepwellMeterNames.TIME_TO_FIRST_BYTE)
                .description("from the start of writing a request to the arrival of its response's headers")
                .tags(commonTags).register(registry);
    }

    /**
     * The meters of one client in {@code registry}, at most {@link #DEFAULT_MAX_HOSTS} hosts by
     * name. {@code statsByHost} feeds the pool gauges (a client passes its pool's
     * {@code statsByHost}); the result must be registered as the client's request and pool
     * listener.
     *
     * @param registry    where the meters are registered; not {@code null}
     * @param statsByHost the pool's per-host snapshot, such as
     *                    {@link io.keepwell.pool.ConnectionPool#statsByHost()}; read at most once a
     *                    second, by the gauges; not {@code null}
     * @param tags        tags added to every meter, such as the client's name; may be empty
     * @return the meters, to register as the client's request and pool listener
     */
    public static KeepwellMetrics create(MeterRegistry registry, Supplier<Map<PoolKey, PoolStats>> statsByHost,
                                         Iterable<Tag> tags) {
        return create(registry, statsByHost, tags, DEFAULT_MAX_HOSTS);
    }

    /**
     * As {@link #create(MeterRegistry, Supplier, Iterable)}, with {@code maxHosts} hosts by name
     * (0: all are {@code other}).
     *
     * @param registry    where the meters are registered; not {@code null}
     * @param statsByHost the pool's per-host snapshot, read at most once a second; not {@code null}
     * @param tags        tags added to every meter; may be empty
     * @param maxHosts    how many distinct hosts (and, separately, request host names) get their
     *                    own tag value; 0 or more
     * @return the meters, to register as the client's request and pool listener
     * @throws IllegalArgumentException if {@code maxHosts} is negative
     */
    public static KeepwellMetrics create(MeterRegistry registry, Supplier<Map<PoolKey, PoolStats>> statsByHost,
                                         Iterable<Tag> tags, int maxHosts) {
        return new KeepwellMetrics(Objects.requireNonNull(registry, "registry"),
                Objects.requireNonNull(statsByHost, "statsByHost"), Tags.of(tags), maxHosts);
    }

    /** Removes the pool gauges (the client is closed); counters and timers stay, as totals do. */
    public void close() {
        gauges.close();
    }

    // ----- request events

    @Override
    public void connectStart(HttpRequest request, InetSocketAddress address) {
        gauges.refreshIfStale(); // a host whose first connect hangs still shows as connecting and pending
    }

    @Override
    public void connectEnd(HttpRequest request, InetSocketAddress address, Duration elapsed) {
        connectSucceeded.record(elapsed);
    }

    @Override
    public void connectFailed(HttpRequest request, InetSocketAddress address, Duration elapsed, Throwable cause) {
        connectFailed.record(elapsed);
    }

    @Override
    public void tlsEnd(HttpRequest request, String protocol, String cipherSuite, Duration elapsed) {
        tlsByProtocol.computeIfAbsent(protocol == null ? RequestTags.NONE : protocol, p ->
                Timer.builder(KeepwellMeterNames.TLS_HANDSHAKE).description("TLS handshakes")
                        .tags(commonTags.and(PROTOCOL, p)).register(registry))
                .record(elapsed);
    }

    @Override
    public void acquired(HttpRequest request, boolean reused, boolean wasIdle, Duration idleTime, Duration elapsed) {
        (reused ? acquireReused : acquireNew).record(elapsed);
    }

    @Override
    public void responseHeaders(HttpRequest request, int statusCode, Duration timeToFirstByte) {
        this.timeToFirstByte.record(timeToFirstByte);
    }

    @Override
    public void callEnd(HttpRequest request, int statusCode, Duration elapsed) {
        timers(request).response(statusCode).record(elapsed);
    }

    @Override
    public void callFailed(HttpRequest request, HttpTimeoutException.Phase phase, Throwable cause, Duration elapsed) {
        timers(request).failure(cause).record(elapsed);
    }

    // ----- pool events

    @Override
    public void connectionOpened(PooledConnection<?> connection) {
        hosts.get(connection.key()).opened.increment();
        gauges.refreshIfStale();
    }

    @Override
    public void connectionAcquired(PooledConnection<?> connection, boolean reused) {
        if (reused) {
            hosts.get(connection.key()).reused.increment();
        }
    }

    @Override
    public void connectionReleased(PooledConnection<?> connection, OfferVerdict verdict) {
        if (!verdict.isAccepted()) {
            hosts.get(connection.key()).refused(verdict.refuseReason()).increment();
        }
    }

    @Override
    public void connectionClosed(PooledConnection<?> connection, CloseReason reason) {
        hosts.get(connection.key()).closed(reason).increment();
        gauges.refreshIfStale();
    }

    @Override
    public void requestRetried(PoolKey key, String method, int attempt, Throwable cause) {
        hosts.get(key).retried.increment();
    }

    private MethodTimers timers(HttpRequest request) {
        String host = request.uri().getHost();
        return clients.get(host == null ? RequestTags.NONE : host).method(request.method());
    }

    private Timer acquireTimer(String reused) {
        return Timer.builder(KeepwellMeterNames.POOL_ACQUIRE)
                .description("the wait of a request for a connection, from asking the pool to getting one")
                .tags(commonTags.and(REUSED, reused)).register(registry);
    }

    private Timer connectTimer(String outcome) {
        return Timer.builder(KeepwellMeterNames.CONNECT).description("TCP connects")
                .tags(commonTags.and(OUTCOME, outcome)).register(registry);
    }
}
