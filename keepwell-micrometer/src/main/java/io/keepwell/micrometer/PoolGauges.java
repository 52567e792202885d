package io.keepwell.micrometer;

import io.keepwell.pool.PoolKey;
import io.keepwell.pool.PoolStats;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static io.keepwell.micrometer.KeepwellMeterNames.HOST;
import static io.keepwell.micrometer.KeepwellMeterNames.STATE;

/**
 * The {@code keepwell.pool.connections} gauges: one per {@code host} tag value and state, read
 * from a snapshot of the pool's per-host stats that is taken at most once per refresh interval
 * (a scrape reads every gauge; one snapshot serves them all). Hosts past the cap are summed
 * under {@code host=other}. A tag value whose hosts are all gone from the pool loses its gauges;
 * they are registered again if it comes back.
 *
 * <p>The gauges hold this object weakly (Micrometer's default): the registry must not keep the
 * client (reached through the stats supplier) alive. Whoever holds the client holds its listener
 * and so this; once the client is unreachable the gauges read {@code NaN}, and {@link #close()}
 * removes them outright.
 */
final class PoolGauges {

    private static final Snapshot CLOSED = new Snapshot(Map.of(), Long.MAX_VALUE);

    private final MeterRegistry registry;
    private final Supplier<Map<PoolKey, PoolStats>> statsByHost;
    private final BoundedValues<PoolKey, HostMeters> hosts;
    private final Tags commonTags;
    private final Clock clock;
    private final long refreshNanos;
    private final Map<String, List<Gauge>> gaugesByHost = new HashMap<>(); // guarded by this
    private volatile Snapshot snapshot;
    private boolean closed;                                                // guarded by this

    /** The pool's counts by {@code host} tag value, taken at {@code takenAtNanos} of the registry's clock. */
    private record Snapshot(Map<String, PoolStats> byHost, long takenAtNanos) {
    }

    PoolGauges(MeterRegistry registry, Supplier<Map<PoolKey, PoolStats>> statsByHost,
               BoundedValues<PoolKey, HostMeters> hosts, Tags commonTags, Duration refreshInterval) {
        this.registry = registry;
        this.statsByHost = statsByHost;
        this.hosts = hosts;
        this.commonTags = commonTags;
        this.clock = registry.config().clock();
        this.refreshNanos = refreshInterval.toNanos();
    }

    /** Takes a new snapshot if the last is stale, so that new hosts get their gauges between scrapes. */
    void refreshIfStale() {
        Snapshot s = snapshot;
        if (s == null || isStale(s)) {
            refresh();
        }
    }

    /** Removes every gauge and registers none again. */
    synchronized void close() {
        closed = true;
        snapshot = CLOSED;
        for (List<Gauge> gauges : gaugesByHost.values()) {
            gauges.forEach(registry::remove);
        }
        gaugesByHost.clear();
    }

    private double read(String host, ConnectionState state) {
        Snapshot s = snapshot;
        if (s == null || isStale(s)) {
            s = refresh();
        }
        return state.of(s.byHost.getOrDefault(host, PoolStats.EMPTY));
    }

    private boolean isStale(Snapshot s) {
        return clock.monotonicTime() - s.takenAtNanos >= refreshNanos;
    }

    private synchronized Snapshot refresh() {
        Snapshot s = snapshot;
        if (closed || (s != null && !isStale(s))) {
            return s; // closed, or another thread refreshed meanwhile
        }
        Map<String, PoolStats> byHost = new HashMap<>();
        for (Map.Entry<PoolKey, PoolStats> e : statsByHost.get().entrySet()) {
            byHost.merge(hosts.get(e.getKey()).host, e.getValue(), PoolGauges::sum);
        }
        // Published before registering, so a registry that reads a gauge as it registers it finds a fresh snapshot.
        s = new Snapshot(byHost, clock.monotonicTime());
        snapshot = s;
        for (String host : byHost.keySet()) {
            gaugesByHost.computeIfAbsent(host, this::register);
        }
        for (Iterator<Map.Entry<String, List<Gauge>>> it = gaugesByHost.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, List<Gauge>> e = it.next();
            if (!byHost.containsKey(e.getKey())) {
                e.getValue().forEach(registry::remove);
                it.remove();
            }
        }
        return s;
    }

    private List<Gauge> register(String host) {
        List<Gauge> gauges = new ArrayList<>(ConnectionState.values().length);
        for (ConnectionState state : ConnectionState.values()) {
            gauges.add(Gauge.builder(KeepwellMeterNames.POOL_CONNECTIONS, this, g -> g.read(host, state))
                    .description("the pool's connections to the host in this state; for pending, its waiting requests")
                    .tags(commonTags.and(HOST, host, STATE, state.tagValue))
                    .register(registry));
        }
        return gauges;
    }

    private static PoolStats sum(PoolStats a, PoolStats b) {
        return PoolStats.current(a.open() + b.open(), a.idle() + b.idle(), a.active() + b.active(),
                a.connecting() + b.connecting(), a.pending() + b.pending(), a.streams() + b.streams());
    }
}
