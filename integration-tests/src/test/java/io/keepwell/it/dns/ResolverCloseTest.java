package io.keepwell.it.dns;

import io.keepwell.it.support.Witnesses;
import io.keepwell.it.support.dns.TestDnsServer;
import io.keepwell.netty.dns.HostResolver;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static io.keepwell.it.support.dns.TestDnsServer.a;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** close() gives back what the resolver holds: one UDP socket per event loop that resolved, and its lookups fail. */
class ResolverCloseTest {

    private static final Duration SETTLE = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    @Test
    void closeReleasesEachLoopsSocketAndFailsPendingLookups() throws Exception {
        Witnesses.processSockets(); // the first read loads what it needs
        try (TestDnsServer server = TestDnsServer.start(); ResolverFixture fixture = new ResolverFixture(dir, 2, false)) {
            server.set("close.test", a("127.0.0.2", 60));
            server.silence("silent.test");
            int before = Witnesses.processSockets();
            HostResolver resolver = fixture.resolver(server.address());
            EventLoop first = fixture.loop();
            EventLoop second = fixture.loop();

            resolveOn(resolver, first, "close.test");
            resolveOn(resolver, second, "close.test"); // the cache answers, but the loop gets its socket
            Future<List<InetAddress>> pending = first.submit(() -> resolver.resolveAll("silent.test", first)).get(5, TimeUnit.SECONDS);
            int open = Witnesses.processSockets();
            assertTrue(open >= before + 2, "a socket per loop: " + before + " before, " + open + " now");

            resolver.close();

            // At once, not at the end of the query's 5 s timeout (nor after another attempt).
            ExecutionException failure = assertThrows(ExecutionException.class, () -> pending.get(2, TimeUnit.SECONDS));
            assertInstanceOf(UnknownHostException.class, failure.getCause());
            assertTrue(failure.getCause().getMessage().contains("silent.test"), failure.getCause().getMessage());
            Witnesses.awaitCondition(SETTLE, () -> Witnesses.processSockets() <= before,
                    () -> "sockets after close: " + Witnesses.processSockets() + ", before: " + before);
            Throwable closed = assertThrows(ExecutionException.class,
                    () -> first.submit(() -> resolver.resolveAll("close.test", first)).get(5, TimeUnit.SECONDS).get(5, TimeUnit.SECONDS))
                    .getCause();
            assertInstanceOf(UnknownHostException.class, closed);
            assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
        }
    }

    @Test
    void theDnsPathStartsNoThreads() throws Exception {
        try (TestDnsServer server = TestDnsServer.start(); ResolverFixture fixture = new ResolverFixture(dir)) {
            server.set("close.test", a("127.0.0.2", 60));
            HostResolver resolver = fixture.resolver(server.address());
            fixture.loop().submit(() -> { }).get(5, TimeUnit.SECONDS); // the loop's own thread starts
            int threads = Witnesses.clientSideThreads();

            fixture.resolve(resolver, "close.test");

            assertEquals(0, Witnesses.threadsNamed("keepwell-dns-"));
            assertEquals(threads, Witnesses.clientSideThreads());
        }
    }

    private static void resolveOn(HostResolver resolver, EventLoop loop, String host) throws Exception {
        List<InetAddress> found = loop.submit(() -> resolver.resolveAll(host, loop)).get(5, TimeUnit.SECONDS).get(5, TimeUnit.SECONDS);
        assertEquals(ResolverFixture.addresses("127.0.0.2"), found);
    }
}
