package io.keepwell.micrometer;

import io.keepwell.pool.CloseReason;
import io.keepwell.pool.OfferVerdict;
import io.keepwell.pool.PoolConfig;
import io.keepwell.pool.PoolKey;
import io.keepwell.pool.PooledConnection;
import io.keepwell.pool.RefuseReason;
import io.keepwell.pool.testing.FakeTransport;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static io.keepwell.micrometer.KeepwellMeterNames.POOL_CONNECTIONS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pool's gauges and counters, fed by a real pool's events and per-host stats. */
class PoolMetersTest {

    private static final PoolKey A = new PoolKey("http", "a.example", 80);
    private static final PoolKey B = new PoolKey("https", "b.example", 443);
    private static final PoolKey C = new PoolKey("http", "c.example", 8080);
    private static final PoolKey D = new PoolKey("http", "d.example", 80);

    private final MockClock clock = new MockClock();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry(SimpleConfig.DEFAULT, clock);
    private KeepwellMetrics metrics;
    private PoolDriver driver;

    private void start(int maxHosts, PoolConfig.Builder config) {
        KeepwellMetrics[] holder = new KeepwellMetrics[1];
        // The pool needs its listener first and the metrics need the pool's stats: the supplier closes the loop.
        driver = new PoolDriver(config.build(), new ForwardingPoolListener(() -> holder[0]));
        holder[0] = KeepwellMetrics.create(registry, driver.pool::statsByHost, Tags.of("client", "orders"), maxHosts);
        metrics = holder[0];
    }

    @Test
    void countersByHostAndReason() {
        start(100, PoolConfig.builder().maxIdlePerHost(1));
        PooledConnection<FakeTransport> a1 = driver.connect(A);
        PooledConnection<FakeTransport> a2 = driver.connect(A);
        assertSame(OfferVerdict.POOLED, driver.pool.offer(a1, true));
        assertEquals(OfferVerdict.refused(RefuseReason.TOO_MANY_IDLE_FOR_HOST), driver.pool.offer(a2, true));
        driver.closeAndReport(a2);
        PooledConnection<FakeTransport> again = driver.takeIdle(A);
        assertEquals(OfferVerdict.refused(RefuseReason.NOT_REUSABLE), driver.pool.offer(again, false));
        driver.closeAndReport(again);
        PooledConnection<FakeTransport> b1 = driver.connect(B);
        assertTrue(driver.pool.markClosing(b1, CloseReason.PROTOCOL_ERROR));
        driver.closeAndReport(b1);
        driver.pool.recordRetry(A, "GET", 1, new IOException("reset"));

        assertEquals(2, count(KeepwellMeterNames.POOL_CONNECTIONS_OPENED, "http://a.example:80"));
        assertEquals(1, count(KeepwellMeterNames.POOL_CONNECTIONS_OPENED, "https://b.example:443"));
        assertEquals(1, count(KeepwellMeterNames.POOL_CONNECTIONS_REUSED, "http://a.example:80"),
                "a fresh connection's first lease is not a reuse");
        assertEquals(1, count(KeepwellMeterNames.POOL_CONNECTIONS_REFUSED, "http://a.example:80", "TOO_MANY_IDLE_FOR_HOST"));
        assertEquals(1, count(KeepwellMeterNames.POOL_CONNECTIONS_REFUSED, "http://a.example:80", "NOT_REUSABLE"));
        assertEquals(2, count(KeepwellMeterNames.POOL_CONNECTIONS_CLOSED, "http://a.example:80", "REFUSED"));
        assertEquals(1, count(KeepwellMeterNames.POOL_CONNECTIONS_CLOSED, "https://b.example:443", "PROTOCOL_ERROR"));
        assertEquals(1, count(KeepwellMeterNames.REQUESTS_RETRIED, "http://a.example:80"));
        assertEquals(Set.of("REFUSED"), registry.find(KeepwellMeterNames.POOL_CONNECTIONS_CLOSED).tag("host", "http://a.example:80")
                .counters().stream().map(c -> c.getId().getTag("reason")).collect(Collectors.toSet()),
                "a reason gets its counter when it first happens");
    }

    @Test
    void gaugesReadEachHostsCurrentCountsFromOneSnapshotPerInterval() {
        start(100, PoolConfig.builder().maxConnectionsPerHost(2));
        PooledConnection<FakeTransport> idle = driver.connect(A);
        assertSame(OfferVerdict.POOLED, driver.pool.offer(idle, true));
        driver.connect(B);
        driver.connecting(B);
        driver.queue(B);
        nextScrape();

        assertGauges("http://a.example:80", 1, 1, 0, 0, 0);
        assertGauges("https://b.example:443", 2, 0, 1, 1, 1);

        driver.takeIdle(A);
        assertEquals(1, gauge("http://a.example:80", "idle").value(), "the snapshot serves until the interval is over");
        nextScrape();
        assertGauges("http://a.example:80", 1, 0, 1, 0, 0);
    }

    @Test
    void hostsPastTheCapShareTheOtherTagInGaugesAndCounters() {
        start(2, PoolConfig.builder());
        driver.connect(A);
        driver.connect(B);
        PooledConnection<FakeTransport> c = driver.connect(C);
        driver.connect(D);
        assertSame(OfferVerdict.POOLED, driver.pool.offer(c, true));
        nextScrape();

        assertGauges("other", 2, 1, 1, 0, 0);
        assertEquals(2, count(KeepwellMeterNames.POOL_CONNECTIONS_OPENED, "other"));
        assertEquals(Set.of("http://a.example:80", "https://b.example:443", "other"), gaugedHosts());
        assertEquals(3 * ConnectionState.values().length, registry.find(POOL_CONNECTIONS).gauges().size());
    }

    @Test
    void aHostThePoolForgetsLosesItsGaugesAndGetsThemBackWhenItReturns() {
        start(100, PoolConfig.builder());
        PooledConnection<FakeTransport> a = driver.connect(A);
        driver.connect(B);
        nextScrape();
        assertEquals(Set.of("http://a.example:80", "https://b.example:443"), gaugedHosts());
        Gauge aActive = gauge("http://a.example:80", "active");

        assertTrue(driver.pool.markClosing(a, CloseReason.ABORTED));
        driver.closeAndReport(a);
        clock.add(KeepwellMetrics.GAUGE_REFRESH);
        assertEquals(0, aActive.value(), "a host absent from the pool has nothing open");
        nextScrape();
        assertEquals(Set.of("https://b.example:443"), gaugedHosts());
        assertEquals(1, count(KeepwellMeterNames.POOL_CONNECTIONS_CLOSED, "http://a.example:80", "ABORTED"),
                "its counters stay: they are totals");

        clock.add(KeepwellMetrics.GAUGE_REFRESH);
        driver.connect(A);
        assertEquals(1, gauge("http://a.example:80", "active").value());
    }

    @Test
    void closeRemovesTheGaugesAndRegistersNoneAgain() {
        start(100, PoolConfig.builder());
        driver.connect(A);
        assertEquals(ConnectionState.values().length, registry.find(POOL_CONNECTIONS).gauges().size());

        metrics.close();
        clock.add(KeepwellMetrics.GAUGE_REFRESH);
        driver.connect(B);

        assertEquals(List.of(), List.copyOf(registry.find(POOL_CONNECTIONS).gauges()));
        assertEquals(1, count(KeepwellMeterNames.POOL_CONNECTIONS_OPENED, "https://b.example:443"),
                "counters go on counting");
    }

    @Test
    void gaugesComeFromTheStatsNotFromEvents() {
        KeepwellMetrics withoutStats = KeepwellMetrics.create(registry, Map::of, Tags.of("client", "orders"));
        driver = new PoolDriver(PoolConfig.builder().build(), withoutStats);
        driver.connect(A);
        nextScrape();

        assertEquals(List.of(), List.copyOf(registry.find(POOL_CONNECTIONS).gauges()));
        assertEquals(1, count(KeepwellMeterNames.POOL_CONNECTIONS_OPENED, "http://a.example:80"));
    }

    /**
     * Lets the refresh interval pass and reads every gauge, as a scrape does: the first read
     * takes a new snapshot, registering gauges for new hosts and removing those of hosts gone.
     */
    private void nextScrape() {
        clock.add(KeepwellMetrics.GAUGE_REFRESH);
        registry.find(POOL_CONNECTIONS).gauges().forEach(Gauge::value);
    }

    private void assertGauges(String host, int open, int idle, int active, int connecting, int pending) {
        assertEquals(List.of(open, idle, active, connecting, pending),
                List.of("open", "idle", "active", "connecting", "pending").stream()
                        .map(state -> (int) gauge(host, state).value()).toList(), host + " open/idle/active/connecting/pending");
    }

    private Gauge gauge(String host, String state) {
        Gauge g = registry.find(POOL_CONNECTIONS).tags("host", host, "state", state, "client", "orders").gauge();
        assertNotNull(g, host + " " + state + " in " + registry.getMetersAsString());
        return g;
    }

    private Set<String> gaugedHosts() {
        return registry.find(POOL_CONNECTIONS).gauges().stream().map(g -> g.getId().getTag("host")).collect(Collectors.toSet());
    }

    private double count(String name, String host, String reason) {
        Counter c = registry.find(name).tags("host", host, "reason", reason, "client", "orders").counter();
        assertNotNull(c, name + " " + host + " " + reason + " in " + registry.getMetersAsString());
        return c.count();
    }

    private double count(String name, String host) {
        Counter c = registry.find(name).tags("host", host, "client", "orders").counter();
        assertNotNull(c, name + " " + host + " in " + registry.getMetersAsString());
        return c.count();
    }
}
