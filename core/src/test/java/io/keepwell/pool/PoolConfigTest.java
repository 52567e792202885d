package io.keepwell.pool;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PoolConfigTest {

    @Test
    void defaultsAreTheDocumentedOnes() {
        PoolConfig c = PoolConfig.defaults();
        assertEquals(PoolConfig.DEFAULT_MAX_IDLE_PER_HOST, c.maxIdlePerHost());
        assertEquals(PoolConfig.DEFAULT_MAX_IDLE_TOTAL, c.maxIdleTotal());
        assertEquals(0, c.maxConnectionsPerHost(), "no cap, as in Go and the JDK client");
        assertEquals(PoolConfig.DEFAULT_MAX_PENDING_ACQUIRES, c.maxPendingAcquires());
        assertEquals(Duration.ofSeconds(30), c.idleTimeout());
        assertEquals(Duration.ofSeconds(30), c.acquireTimeout());
        assertEquals(Duration.ZERO, c.maxLifetime());
        assertEquals(Duration.ZERO, c.lifetimeJitter());
        assertTrue(c.keepAlive());
    }

    @Test
    void negativeCountsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> PoolConfig.builder().maxIdlePerHost(-1));
        assertThrows(IllegalArgumentException.class, () -> PoolConfig.builder().maxIdleTotal(-1));
        assertThrows(IllegalArgumentException.class, () -> PoolConfig.builder().maxConnectionsPerHost(-1));
        assertThrows(IllegalArgumentException.class, () -> PoolConfig.builder().maxPendingAcquires(-1));
    }

    @Test
    void timeoutsMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> PoolConfig.builder().idleTimeout(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> PoolConfig.builder().acquireTimeout(Duration.ofNanos(-1)));
        assertThrows(NullPointerException.class, () -> PoolConfig.builder().idleTimeout(null));
        assertThrows(IllegalArgumentException.class, () -> PoolConfig.builder().maxLifetime(Duration.ofNanos(-1)));
        assertThrows(IllegalArgumentException.class, () -> PoolConfig.builder().lifetimeJitter(Duration.ofNanos(-1)));
    }

    @Test
    void jitterMustBeBelowAMaxLifetime() {
        assertThrows(IllegalArgumentException.class,
                () -> PoolConfig.builder().lifetimeJitter(Duration.ofSeconds(1)).build(), "jitter without a lifetime");
        assertThrows(IllegalArgumentException.class,
                () -> PoolConfig.builder().maxLifetime(Duration.ofSeconds(5)).lifetimeJitter(Duration.ofSeconds(5)).build());
        PoolConfig ok = PoolConfig.builder().maxLifetime(Duration.ofSeconds(5)).lifetimeJitter(Duration.ofSeconds(5).minusNanos(1)).build();
        assertEquals(Duration.ofSeconds(5).minusNanos(1), ok.lifetimeJitter());
    }

    @Test
    void zeroCapsAreAllowed() {
        PoolConfig c = PoolConfig.builder().maxIdlePerHost(0).maxIdleTotal(0).maxPendingAcquires(0).build();
        assertEquals(0, c.maxIdlePerHost());
        assertEquals(0, c.maxIdleTotal());
        assertEquals(0, c.maxPendingAcquires());
    }
}
