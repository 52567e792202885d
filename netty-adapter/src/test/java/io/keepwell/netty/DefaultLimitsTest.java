package io.keepwell.netty;

import io.keepwell.http.HttpTimeoutException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 10 item 5: with default settings every future must complete. Every phase of an exchange
 * but the per-request total has a finite default limit; a new phase cannot be added without one
 * ({@code Builder.limit} switches over all phases). The README lists these with their sum.
 */
class DefaultLimitsTest {

    @Test
    void theDefaultSettingsBoundEveryPhase() {
        KeepwellHttpClient.Builder defaults = KeepwellHttpClient.newBuilder();
        Duration sum = Duration.ZERO;
        for (HttpTimeoutException.Phase phase : HttpTimeoutException.Phase.values()) {
            Optional<Duration> limit = defaults.limit(phase);
            if (phase == HttpTimeoutException.Phase.REQUEST) {
                assertTrue(limit.isEmpty(), "the request's own timeout is set per request");
                continue;
            }
            assertTrue(limit.isPresent(), phase + " has no default limit");
            assertTrue(!limit.get().isNegative() && !limit.get().isZero() && limit.get().compareTo(Duration.ofMinutes(5)) <= 0,
                    phase + " has no useful default limit: " + limit.get());
            if (phase == HttpTimeoutException.Phase.DNS) {
                // Resolution and the TCP connects share one limit: counted once, under CONNECT.
                assertEquals(defaults.limit(HttpTimeoutException.Phase.CONNECT), limit, "DNS shares connectTimeout");
                continue;
            }
            sum = sum.plus(limit.get());
        }
        assertEquals(Duration.ofSeconds(10), defaults.limit(HttpTimeoutException.Phase.WRITE).orElseThrow(), "as OkHttp");
        // The README's "Every future completes" table adds these up: change both together.
        assertEquals(Duration.ofSeconds(220), sum);
    }
}
