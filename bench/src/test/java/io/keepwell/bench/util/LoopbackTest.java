package io.keepwell.bench.util;

import org.junit.jupiter.api.Test;

import java.net.URI;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoopbackTest {

    @Test
    void acceptsLoopbackLiteralsAndLocalhostOnly() {
        assertTrue(Loopback.isLoopback("127.0.0.1"));
        assertTrue(Loopback.isLoopback("127.1.2.3"));
        assertTrue(Loopback.isLoopback("localhost"));
        assertTrue(Loopback.isLoopback("[::1]"));
        assertFalse(Loopback.isLoopback("10.0.0.1"));
        assertFalse(Loopback.isLoopback("192.168.1.1"));
        assertFalse(Loopback.isLoopback("127.0.0.256"));
        assertFalse(Loopback.isLoopback("127.0.0.1.example.com"));
        assertFalse(Loopback.isLoopback("example.com"));
        assertThrows(IllegalArgumentException.class, () -> Loopback.require(URI.create("http://example.com/")));
    }

    @Test
    void durationsReadTheUsualSuffixes() {
        assertTrue(DurationConverter.parse("500ms").toMillis() == 500);
        assertTrue(DurationConverter.parse("5s").toMillis() == 5000);
        assertTrue(DurationConverter.parse("1.5s").toMillis() == 1500);
        assertTrue(DurationConverter.parse("2m").toSeconds() == 120);
        assertTrue(DurationConverter.parse("PT3S").toSeconds() == 3);
    }
}
