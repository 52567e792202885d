package io.keepwell.bench.burst;

import io.keepwell.bench.BenchMain;
import io.keepwell.netty.Transport;
import io.keepwell.pool.CloseReason;
import io.keepwell.pool.PoolStats;
import io.keepwell.pool.RefuseReason;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The default run of the jar, in-process, with a burst small enough for the test suite. */
class BurstDemoTest {

    private static final int BURST = 20;
    private static final int MAX_IDLE = 2;

    @Test
    void burstKeepsAtMostMaxIdleAndGivesEverythingBackOnClose() throws Exception {
        BurstResult r = BurstDemo.run(new BurstOptions(BURST, MAX_IDLE, 2, Transport.AUTO, Duration.ofSeconds(20)));

        assertTrue(r.passed(), () -> "failures: " + r.failures() + "\n" + r.toTable());
        assertEquals(BURST, r.ok(), r::toTable);
        assertEquals(BURST, r.channels().peak(), "every held request had its own connection\n" + r.toTable());
        assertTrue(r.channels().after() <= MAX_IDLE, r::toTable);
        assertTrue(r.serverConnections().after() <= MAX_IDLE, r::toTable);
        assertEquals(BURST - MAX_IDLE, r.stats().refused(RefuseReason.TOO_MANY_IDLE_FOR_HOST), r::toTable);
        assertEquals(BURST - MAX_IDLE, r.stats().closedBy(CloseReason.REFUSED), r::toTable);
        assertEquals(0, r.channels().afterClose(), r::toTable);
        assertEquals(0, r.serverConnections().afterClose(), r::toTable);
        if (r.sockets().before() >= 0) {
            assertTrue(r.sockets().peak() >= r.sockets().before() + 2 * BURST, "both ends of every connection were seen\n" + r.toTable());
            assertTrue(r.sockets().afterClose() <= r.sockets().before(), r::toTable);
            assertTrue(r.baseline().socketsAfter() <= r.baseline().socketsBefore(), r::toTable);
        }
        assertTrue(r.threads().afterClose() <= r.threads().before(), r::toTable);
        assertTrue(r.baseline().threadsAfter() <= r.baseline().threadsBefore(), r::toTable);
    }

    @Test
    void theCommandExitsZeroAndPrintsOneJsonLine() {
        StringWriter out = new StringWriter();
        CommandLine cl = BenchMain.commandLine();
        cl.setOut(new PrintWriter(out));
        int exit = cl.execute("--burst", "10", "--max-idle", "3", "--json");

        assertEquals(0, exit, out::toString);
        String json = out.toString().strip();
        assertFalse(json.contains("\n"), json);
        assertTrue(json.startsWith("{\"command\":\"burst\""), json);
        assertTrue(json.contains("\"passed\":true"), json);
        assertTrue(json.contains("\"TOO_MANY_IDLE_FOR_HOST\":7"), json);
    }

    /** The verdict is what makes the exit code non-zero: it must see each kind of leak. */
    @Test
    void theVerdictFailsForConnectionsOutlivingTheBurstAndForLeaksAfterClose() {
        BurstResult clean = result(new BurstResult.Counts(0, BURST, MAX_IDLE, 0), new BurstResult.Counts(2, 42, 6, 2),
                new BurstResult.Counts(8, 10, 10, 8));
        assertTrue(clean.passed(), clean.failures()::toString);

        BurstResult tooManyKept = result(new BurstResult.Counts(0, BURST, MAX_IDLE + 3, 0), new BurstResult.Counts(2, 42, 6, 2),
                new BurstResult.Counts(8, 10, 10, 8));
        assertFalse(tooManyKept.passed());
        assertTrue(tooManyKept.failures().get(0).contains("more than maxIdlePerHost"), tooManyKept.failures()::toString);

        BurstResult socketLeft = result(new BurstResult.Counts(0, BURST, MAX_IDLE, 0), new BurstResult.Counts(2, 42, 6, 3),
                new BurstResult.Counts(8, 10, 10, 8));
        assertEquals(List.of("sockets leaked by the client: 3 after close, 2 before"), socketLeft.failures());

        BurstResult threadLeft = result(new BurstResult.Counts(0, BURST, MAX_IDLE, 0), new BurstResult.Counts(2, 42, 6, 2),
                new BurstResult.Counts(8, 10, 10, 9));
        assertEquals(List.of("threads leaked by the client: 9 after close, 8 before"), threadLeft.failures());

        BurstResult channelLeft = result(new BurstResult.Counts(0, BURST, MAX_IDLE, 1), new BurstResult.Counts(2, 42, 6, 2),
                new BurstResult.Counts(8, 10, 10, 8));
        assertEquals(List.of("1 channels still open after close"), channelLeft.failures());
    }

    private static BurstResult result(BurstResult.Counts channels, BurstResult.Counts sockets, BurstResult.Counts threads) {
        BurstOptions options = new BurstOptions(BURST, MAX_IDLE, 2, Transport.AUTO, Duration.ofSeconds(1));
        BurstResult.Counts pool = new BurstResult.Counts(0, BURST, Math.min(channels.after(), MAX_IDLE), 0);
        BurstResult.Counts server = new BurstResult.Counts(0, BURST, Math.min(channels.after(), MAX_IDLE), 0);
        return new BurstResult(options, "NIO", BURST, Map.of(), channels, pool, sockets, server, threads,
                new BurstResult.Baseline(1, 1, 7, 7), emptyStats(), 10);
    }

    private static PoolStats emptyStats() {
        Map<CloseReason, Long> byReason = new EnumMap<>(CloseReason.class);
        for (CloseReason r : CloseReason.values()) {
            byReason.put(r, 0L);
        }
        return new PoolStats(0, 0, 0, 0, 0, 0, BURST, 0, BURST - MAX_IDLE, 0, 0, 0, BURST - MAX_IDLE, 0, 0, 0, 0, 0, byReason);
    }
}
