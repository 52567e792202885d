package io.keepwell.it.dns;

import io.keepwell.it.support.Witnesses;
import io.keepwell.it.support.dns.TestDnsServer;
import io.keepwell.netty.dns.HostResolver;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;

import static io.keepwell.it.dns.ResolverFixture.addresses;
import static io.keepwell.it.dns.ResolverFixture.nameserver;
import static io.keepwell.it.support.dns.TestDnsServer.a;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The resolver as a resolv.conf configures it: its name servers, its options (timeout, attempts,
 * ndots) and search list; and the JDK's resolver on keepwell-dns threads where it names no server.
 * The JDK path only ever looks up "localhost", which the system's hosts file answers: no test may
 * send a query to the system's name servers.
 */
class ResolvConfTest extends NameServerTestBase {


    @Test
    void theFilesNameServerIsAsked() throws Exception {
        server.set("conf.test", a("127.0.0.2", 60));
        HostResolver resolver = fixture.fromFiles(fixture.resolvConf("# a comment", nameserver(server.address())), fixture.hosts());

        assertEquals(addresses("127.0.0.2"), fixture.resolve(resolver, "conf.test"));
        assertTrue(server.queries("conf.test") > 0);
    }

    @Test
    void aSilentServerIsAskedAttemptsTimesPerFamilyAndTheLookupFailsAfterTimeoutTimesAttempts() throws Exception {
        Duration took = timeToFail("options timeout:1 attempts:2");

        assertEquals(4, server.queries("silent.test"), "A and AAAA, each asked twice");
        assertTrue(took.compareTo(Duration.ofMillis(1900)) >= 0 && took.compareTo(Duration.ofMillis(3500)) < 0,
                "2 attempts of 1 s: " + took);
    }

    @Test
    void oneAttemptOfOneSecond() throws Exception {
        Duration took = timeToFail("options attempts:1 timeout:1");

        assertEquals(2, server.queries("silent.test"), "A and AAAA, once each");
        assertTrue(took.compareTo(Duration.ofMillis(900)) >= 0 && took.compareTo(Duration.ofMillis(1900)) < 0, "1 s: " + took);
    }

    @Test
    void aSilentFirstServerFailsOverToTheNextAfterItsTimeout() throws Exception {
        try (TestDnsServer second = TestDnsServer.start()) {
            server.silent(true);
            second.set("failover.test", a("127.0.0.2", 60));
            HostResolver resolver = fixture.fromFiles(fixture.resolvConf(nameserver(server.address()),
                    nameserver(second.address()), "options timeout:1 attempts:1"), fixture.hosts());

            long start = System.nanoTime();
            assertEquals(addresses("127.0.0.2"), fixture.resolve(resolver, "failover.test"));
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertTrue(server.queries("failover.test") > 0, "the first server was asked first");
            assertTrue(took.compareTo(Duration.ofMillis(900)) >= 0 && took.compareTo(Duration.ofMillis(2500)) < 0,
                    "the second answered after the first's 1 s timeout: " + took);
        }
    }

    @Test
    void anAnswerEndsTheLookupEvenAMissOnlyATimeoutIsTriedAgain() throws Exception {
        HostResolver resolver = fixture.fromFiles(
                fixture.resolvConf(nameserver(server.address()), "options timeout:1 attempts:3"), fixture.hosts());

        assertInstanceOf(UnknownHostException.class, fixture.failure(resolver, "missing.test"));

        assertEquals(2, server.queries("missing.test"), "A and AAAA once each: NXDOMAIN is an answer");
    }

    /** How long a lookup of a name the server never answers takes to fail under {@code options}. */
    private Duration timeToFail(String options) throws Exception {
        server.silence("silent.test");
        HostResolver resolver = fixture.fromFiles(fixture.resolvConf(nameserver(server.address()), options), fixture.hosts());

        long start = System.nanoTime();
        Throwable failure = fixture.failure(resolver, "silent.test");
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertInstanceOf(UnknownHostException.class, failure);
        assertTrue(failure.getMessage().contains("silent.test"), failure.getMessage());
        return took;
    }

    @Test
    void aShortNameIsTriedInTheSearchDomainsFirstAndANameWithNdotsDotsAsItIs() throws Exception {
        server.set("api.svc.corp.test", a("127.0.0.2", 60));
        server.set("db.x.y", a("127.0.0.3", 60));
        HostResolver resolver = fixture.fromFiles(
                fixture.resolvConf(nameserver(server.address()), "search corp.test other.test", "options ndots:2"), fixture.hosts());

        assertEquals(addresses("127.0.0.2"), fixture.resolve(resolver, "api.svc"), "one dot, fewer than ndots:2");
        assertEquals(0, server.queries("api.svc"), "found in the first search domain");

        assertEquals(addresses("127.0.0.3"), fixture.resolve(resolver, "db.x.y"), "two dots: as it is");
        assertEquals(0, server.queries("db.x.y.corp.test"));
    }

    @Test
    void withNdotsOneADottedNameIsAskedAsItIs() throws Exception {
        server.set("api.svc", a("127.0.0.4", 60));
        server.set("api.svc.corp.test", a("127.0.0.2", 60));
        HostResolver resolver = fixture.fromFiles(
                fixture.resolvConf(nameserver(server.address()), "search corp.test", "options ndots:1"), fixture.hosts());

        assertEquals(addresses("127.0.0.4"), fixture.resolve(resolver, "api.svc"));
        assertEquals(0, server.queries("api.svc.corp.test"));
    }

    @Test
    void aFileWithNoNameServerMeansTheJdksResolverOnKeepwellDnsThreads() throws Exception {
        HostResolver resolver = fixture.fromFiles(fixture.resolvConf("search corp.test", "options ndots:1"), fixture.hosts());

        List<InetAddress> found = fixture.resolve(resolver, "localhost"); // from the system's hosts file
        assertTrue(found.contains(InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1})), found.toString());
        assertTrue(Witnesses.threadsNamed("keepwell-dns-") >= 1, "a keepwell-dns thread looked it up");
        assertTrue(Witnesses.threadsNamed("keepwell-dns-") <= 2);

        resolver.close();
        Witnesses.awaitCondition(Duration.ofSeconds(5), () -> Witnesses.threadsNamed("keepwell-dns-") == 0,
                () -> "keepwell-dns threads after close: " + Witnesses.threadsNamed("keepwell-dns-"));
    }

    @Test
    void aMissingFileMeansTheJdksResolverToo() throws Exception {
        HostResolver resolver = fixture.fromFiles(dir.resolve("no-such-resolv.conf"), fixture.hosts());

        assertTrue(fixture.resolve(resolver, "localhost").stream().anyMatch(InetAddress::isLoopbackAddress));
        assertTrue(Witnesses.threadsNamed("keepwell-dns-") >= 1);
    }

    @Test
    void theHostsFileComesBeforeTheJdksResolverToo() throws Exception {
        // localhost: were the given hosts file skipped, the JDK would answer 127.0.0.1 from the system's, never asking DNS.
        HostResolver resolver = fixture.fromFiles(fixture.resolvConf(), fixture.hosts("127.0.0.8 localhost"));

        assertEquals(addresses("127.0.0.8"), fixture.resolve(resolver, "localhost"));
    }
}
