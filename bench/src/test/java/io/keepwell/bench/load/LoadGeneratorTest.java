package io.keepwell.bench.load;

import io.keepwell.netty.Transport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.URI;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A one-second run: the loop keeps C in flight, measures, and leaves nothing failed. */
class LoadGeneratorTest {

    @Test
    void shortRunAgainstTheEmbeddedServerMeasuresWithoutErrors() throws Exception {
        LoadOptions options = new LoadOptions(null, 4, Duration.ofMillis(1000), Duration.ofMillis(300), "POST", 100, 13,
                LoadOptions.defaultMaxIdle(4), 0, 1, Transport.AUTO, 1, false);
        LoadResult r = LoadGenerator.run(options, null);

        assertTrue(r.passed(), r::toTable);
        assertTrue(r.requests() > 0, r::toTable); // no throughput bar: the suite runs at paranoid leak detection on shared cores
        assertEquals(r.requests(), r.latencyMicros().getTotalCount(), "one latency per measured response");
        assertTrue(r.percentile(50) > 0, r::toTable);
        assertTrue(r.statsAtEnd().opened() <= 4, "C lanes need at most C connections\n" + r.toTable());
        assertEquals(4, r.openAtEnd(), r::toTable);
        assertTrue(r.toJson().contains("\"passed\":true"), r.toJson());
        // Allocation is sampled with CPU; HotSpot counts it per thread, so the figure is there and positive.
        assertTrue(r.allocatedBytesPerRequest() > 0, r::toTable);
        Matcher allocated = Pattern.compile("\"allocatedBytesPerRequest\":([0-9.]+)").matcher(r.toJson());
        assertTrue(allocated.find(), r.toJson());
        assertTrue(Double.parseDouble(allocated.group(1)) > 0, r.toJson());
        assertTrue(r.toTable().contains("bytes/request"), r::toTable);
    }

    /** WebClient over either connector sends the POST body and reads every response, on Keepwell's pool. */
    @ParameterizedTest
    @EnumSource(value = ClientKind.class, names = {"SPRING_JDK", "SPRING_KEEPWELL"})
    void springWebClientRunsWithoutErrors(ClientKind kind) throws Exception {
        LoadOptions options = new LoadOptions(null, 4, Duration.ofMillis(1000), Duration.ofMillis(300), "POST", 100, 13,
                LoadOptions.defaultMaxIdle(4), 0, 1, Transport.AUTO, 1, false).withClient(kind);
        LoadResult r = LoadGenerator.run(options, null);

        assertTrue(r.passed(), r::toTable);
        assertTrue(r.requests() > 0, r::toTable);
        assertTrue(r.statsAtEnd().opened() <= 4, "C lanes need at most C connections\n" + r.toTable());
        assertTrue(r.toJson().contains("\"client\":\"" + kind.label() + "\""), r.toJson());
    }

    /** {@code load --http2}: Keepwell over h2 (TLS, ALPN) and h2c, C = connections x streams, nothing failed. */
    @ParameterizedTest
    @EnumSource(Http2Options.Mode.class)
    void keepwellOverHttp2RunsWithoutErrorsAndReportsHttp2(Http2Options.Mode mode) throws Exception {
        LoadResult r = LoadGenerator.run(http2Run(ClientKind.KEEPWELL, Http2Options.of(mode, 2, 4)), null);

        assertTrue(r.passed(), r::toTable);
        assertTrue(r.requests() > 0, r::toTable);
        assertEquals(8, r.options().concurrency());
        assertEquals("HTTP_2", r.responseVersion(), r::toTable);
        assertTrue(r.statsAtEnd().opened() <= 2 && r.openAtEnd() <= 2, "at most --connections connections\n" + r.toTable());
        assertTrue(r.toJson().contains("\"protocol\":\"" + mode.label() + "\""), r.toJson());
        assertTrue(r.toJson().contains("\"responseVersion\":\"HTTP_2\""), r.toJson());
    }

    /** Every peer with HTTP/2 here, over h2c (the JDK, which has no prior knowledge, over TLS below). */
    @ParameterizedTest
    @EnumSource(value = ClientKind.class, names = {"NETTY", "JETTY", "APACHE", "REACTOR"})
    void peersOverH2cRunWithoutErrors(ClientKind kind) throws Exception {
        LoadResult r = LoadGenerator.run(http2Run(kind, Http2Options.of(Http2Options.Mode.PRIOR_KNOWLEDGE, 2, 4)), null);

        assertTrue(r.passed(), r::toTable);
        assertTrue(r.requests() > 0, r::toTable);
        assertEquals("HTTP_2", r.responseVersion(), r::toTable);
    }

    /** The h2 server mode with the JDK's client (h2 over TLS; it has no prior knowledge). */
    @Test
    void jdkOverH2RunsWithoutErrors() throws Exception {
        LoadResult r = LoadGenerator.run(http2Run(ClientKind.JDK, Http2Options.of(Http2Options.Mode.TLS, 1, 8)), null);

        assertTrue(r.passed(), r::toTable);
        assertTrue(r.requests() > 0, r::toTable);
        assertEquals("HTTP_2", r.responseVersion(), r::toTable);
        assertEquals(1, r.sockets().atEnd(), "one connection per origin\n" + r.toTable());
    }

    private static LoadOptions http2Run(ClientKind client, Http2Options h2) {
        return new LoadOptions(null, 1, Duration.ofMillis(1000), Duration.ofMillis(300), "GET", 0, 13,
                LoadOptions.defaultMaxIdle(1), 0, 1, Transport.AUTO, 1, false).withClient(client).withHttp2(h2);
    }

    @Test
    void refusesTargetsOffLoopback() {
        LoadOptions options = new LoadOptions(URI.create("http://10.1.2.3:8080/"), 1, Duration.ofMillis(100), Duration.ZERO,
                "GET", 0, 13, 32, 0, 1, Transport.AUTO, 1, false);
        assertThrows(IllegalArgumentException.class, () -> LoadGenerator.run(options, null));
    }
}
