package io.keepwell.micrometer;

import io.keepwell.netty.KeepwellHttpClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;

import java.util.Arrays;
import java.util.Objects;

/** Binds a Keepwell client to Micrometer in one call. */
public final class KeepwellMicrometer {

    private KeepwellMicrometer() {
    }

    /**
     * Registers the client's meters in {@code registry} (see {@link KeepwellMeterNames}) and makes
     * them hear its pool and request events from now on.
     *
     * <pre>{@code
     * KeepwellMetrics metrics = KeepwellMicrometer.bind(client, registry, Tag.of("client", "orders"));
     * ...
     * client.close();
     * metrics.close(); // removes the pool gauges
     * }</pre>
     *
     * @param client   the client to observe; its calls sent before this one are not counted
     * @param registry where the meters go
     * @param tags     tags added to every meter (for example which client it is)
     * @return the bound metrics, to {@link KeepwellMetrics#close() close} when the client closes
     */
    public static KeepwellMetrics bind(KeepwellHttpClient client, MeterRegistry registry, Tag... tags) {
        Objects.requireNonNull(client, "client");
        KeepwellMetrics metrics = KeepwellMetrics.create(registry, client::poolStatsByHost, Arrays.asList(tags));
        client.addPoolListener(metrics);
        client.addRequestListener(metrics);
        return metrics;
    }
}
