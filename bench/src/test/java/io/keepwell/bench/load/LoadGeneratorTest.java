package io.keepwell.bench.load;

import io.keepwell.netty.Transport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.URI;
import java.time.Duration;

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

    @Test
    void refusesTargetsOffLoopback() {
        LoadOptions options = new LoadOptions(URI.create("http://10.1.2.3:8080/"), 1, Duration.ofMillis(100), Duration.ZERO,
                "GET", 0, 13, 32, 0, 1, Transport.AUTO, 1, false);
        assertThrows(IllegalArgumentException.class, () -> LoadGenerator.run(options, null));
    }
}
