/**
 * Micrometer meters for a Keepwell client: {@link io.keepwell.micrometer.KeepwellMetrics} listens
 * to a client's request events ({@link io.keepwell.http.RequestListener}) and pool events
 * ({@link io.keepwell.pool.PoolListener}) and keeps Spring's {@code http.client.requests} timer
 * beside Keepwell's own pool gauges, counters and connection timers, with tag cardinality bounded
 * by a cap on hosts. The meter names and tag keys are in {@link io.keepwell.micrometer.KeepwellMeterNames}.
 */
package io.keepwell.micrometer;
