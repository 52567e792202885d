package io.keepwell.pool;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pool's small value types: keys, verdicts, exceptions, the clock. */
class PoolValuesTest {

    @Test
    void portsOutsideOneTo65535AreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new PoolKey("http", "h", 0));
        assertThrows(IllegalArgumentException.class, () -> new PoolKey("http", "h", 65536));
        assertEquals(1, new PoolKey("http", "h", 1).port());
        assertEquals(65535, new PoolKey("http", "h", 65535).port());
    }

    @Test
    void keyOfAUriDefaultsThePortBySchemeAndLowersCase() {
        assertEquals(new PoolKey("http", "a.example", 80), PoolKey.of(URI.create("HTTP://A.Example/x")));
        assertEquals(new PoolKey("https", "a.example", 443), PoolKey.of(URI.create("https://a.example/")));
        assertEquals(new PoolKey("https", "a.example", 8443), PoolKey.of(URI.create("https://a.example:8443/")));
        assertEquals("http://a.example:80", new PoolKey("http", "a.example", 80).toString());
    }

    @Test
    void verdictsPrintTheirOutcomeAndReason() {
        assertEquals("POOLED", OfferVerdict.POOLED.toString());
        assertEquals("HANDED_OFF", OfferVerdict.HANDED_OFF.toString());
        assertEquals("REFUSED(NOT_REUSABLE)", OfferVerdict.refused(RefuseReason.NOT_REUSABLE).toString());
    }

    @Test
    void aConnectionPrintsItsIdAndKey() {
        PooledConnection<Object> c = new PooledConnection<>(new PoolKey("http", "a.example", 80), 7, 0);
        assertEquals(7, c.id());
        assertEquals("conn#7[http://a.example:80]", c.toString());
    }

    @Test
    void acquireTimeoutCarriesItsFields() {
        PoolKey key = new PoolKey("http", "a.example", 80);
        AcquireTimeoutException e = new AcquireTimeoutException(key, Duration.ofSeconds(3), 4);
        assertSame(key, e.key());
        assertEquals(Duration.ofSeconds(3), e.acquireTimeout());
        assertEquals(4, e.maxConnectionsPerHost());
    }

    @Test
    void theSystemClockMoves() {
        Clock clock = Clock.system();
        long t0 = clock.nanoTime();
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (clock.nanoTime() == t0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertTrue(clock.nanoTime() != t0);
    }

    @Test
    void configPrintsEverySetting() {
        PoolConfig config = PoolConfig.builder().acquireTimeout(Duration.ofSeconds(7)).build();
        assertEquals(Duration.ofSeconds(7), config.acquireTimeout());
        assertTrue(config.toString().contains("acquireTimeout=PT7S"), config.toString());
        assertTrue(config.toString().startsWith("PoolConfig{maxIdlePerHost="), config.toString());
    }
}
