package io.keepwell.it.dns;

import io.keepwell.it.support.dns.TestDnsServer;
import io.keepwell.netty.dns.HostResolver;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static io.keepwell.it.dns.ResolverFixture.nameserver;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A lookup that a name server never answers does not hold up its event loop: timers on that loop
 * fire as late as they did before the lookup started, within a few milliseconds.
 */
class SilentResolverLoopTest {

    private static final int PROBES = 100;
    private static final long PROBE_DELAY_MILLIS = 2;
    private static final long SLACK_MILLIS = 5;
    /** Far below the lookup's 3 s timeout: a loop blocked by the lookup would show that whole time. */
    private static final long MAX_LATE_MILLIS = 250;

    @TempDir
    Path dir;

    @Test
    void timersOnTheLoopKeepTheirLatencyWhileASilentLookupIsPending() throws Exception {
        try (TestDnsServer server = TestDnsServer.start(); ResolverFixture fixture = new ResolverFixture(dir)) {
            server.silent(true);
            HostResolver resolver = fixture.fromFiles(
                    fixture.resolvConf(nameserver(server.address()), "options timeout:3 attempts:1"), fixture.hosts());
            EventLoop loop = fixture.loop();
            lateness(loop); // warm up
            long[] baseline = lateness(loop);

            Future<List<InetAddress>> pending = loop.submit(() -> resolver.resolveAll("silent.test", loop)).get(5, TimeUnit.SECONDS);
            long[] during = lateness(loop);
            assertFalse(pending.isDone(), "the lookup was still pending while the probes ran");

            // The 90th percentile: on two shared cores the slowest of 100 timers is the scheduler's, not the loop's.
            assertTrue(percentile(during, 0.9) <= percentile(baseline, 0.9) + SLACK_MILLIS,
                    "p90 lateness " + percentile(during, 0.9) + " ms vs baseline " + percentile(baseline, 0.9) + " ms");
            assertTrue(percentile(during, 1.0) < MAX_LATE_MILLIS, "latest timer " + percentile(during, 1.0) + " ms late");
            ExecutionException failure = assertThrows(ExecutionException.class, () -> pending.get(5, TimeUnit.SECONDS));
            assertInstanceOf(UnknownHostException.class, failure.getCause());
        }
    }

    /** How late, in ms, each of PROBES timers scheduled on {@code loop} one after another fired. */
    private static long[] lateness(EventLoop loop) throws Exception {
        long[] late = new long[PROBES];
        for (int i = 0; i < PROBES; i++) {
            CompletableFuture<Long> fired = new CompletableFuture<>();
            long scheduled = System.nanoTime();
            loop.schedule(() -> fired.complete(System.nanoTime()), PROBE_DELAY_MILLIS, TimeUnit.MILLISECONDS);
            late[i] = TimeUnit.NANOSECONDS.toMillis(fired.get(5, TimeUnit.SECONDS) - scheduled) - PROBE_DELAY_MILLIS;
        }
        return late;
    }

    private static long percentile(long[] values, double fraction) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[(int) Math.ceil(sorted.length * fraction) - 1];
    }

    @Test
    void cancellingAPendingLookupEndsIt() throws Exception {
        try (TestDnsServer server = TestDnsServer.start(); ResolverFixture fixture = new ResolverFixture(dir)) {
            server.silent(true);
            HostResolver resolver = fixture.resolver(server.address());
            Future<List<InetAddress>> pending = fixture.start(resolver, "silent.test");

            assertTrue(pending.cancel(false));
            assertTrue(pending.isCancelled());
            // The loop's resolver is still usable for other names after a cancelled lookup.
            server.silent(false);
            server.set("after.test", TestDnsServer.a("127.0.0.2", 60));
            assertTrue(fixture.resolve(resolver, "after.test").contains(ResolverFixture.addresses("127.0.0.2").get(0)));
        }
    }

}
