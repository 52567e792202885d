package io.keepwell.micrometer;

import io.keepwell.pool.CloseReason;
import io.keepwell.pool.RefuseReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;

import static io.keepwell.micrometer.KeepwellMeterNames.HOST;
import static io.keepwell.micrometer.KeepwellMeterNames.REASON;

/** The pool's counters for one value of the {@code host} tag (one host, or every host past the cap). */
final class HostMeters {

    private static final RefuseReason[] REFUSE_REASONS = RefuseReason.values();
    private static final CloseReason[] CLOSE_REASONS = CloseReason.values();

    final String host;
    final Counter opened;
    final Counter reused;
    final Counter retried;
    private final LazyArray<Counter> refused;
    private final LazyArray<Counter> closed;

    HostMeters(String host, MeterRegistry registry, Tags commonTags) {
        this.host = host;
        Tags tags = commonTags.and(HOST, host);
        opened = counter(KeepwellMeterNames.POOL_CONNECTIONS_OPENED, "connections established", tags).register(registry);
        reused = counter(KeepwellMeterNames.POOL_CONNECTIONS_REUSED, "requests given a connection that had served before",
                tags).register(registry);
        retried = Counter.builder(KeepwellMeterNames.REQUESTS_RETRIED)
                .description("requests sent again after failing on a reused connection").tags(tags).register(registry);
        var refusedByReason = counter(KeepwellMeterNames.POOL_CONNECTIONS_REFUSED,
                "connections the pool would not keep when released", tags).withRegistry(registry);
        refused = new LazyArray<>(REFUSE_REASONS.length, i -> refusedByReason.withTag(REASON, REFUSE_REASONS[i].name()));
        var closedByReason = counter(KeepwellMeterNames.POOL_CONNECTIONS_CLOSED, "established connections closed", tags)
                .withRegistry(registry);
        closed = new LazyArray<>(CLOSE_REASONS.length, i -> closedByReason.withTag(REASON, CLOSE_REASONS[i].name()));
    }

    Counter refused(RefuseReason reason) {
        return refused.get(reason.ordinal());
    }

    Counter closed(CloseReason reason) {
        return closed.get(reason.ordinal());
    }

    private static Counter.Builder counter(String name, String description, Iterable<Tag> tags) {
        return Counter.builder(name).description(description).baseUnit("connections").tags(tags);
    }
}
