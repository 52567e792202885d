package io.keepwell.it.dns;

import io.keepwell.it.support.dns.TestDnsServer;
import io.keepwell.netty.dns.HostResolver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static io.keepwell.it.dns.ResolverFixture.addresses;
import static io.keepwell.it.support.dns.TestDnsServer.a;
import static io.keepwell.it.support.dns.TestDnsServer.aaaa;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What HostResolvers.create's resolver answers from a name server and a hosts file. */
class DnsAnswersTest {

    @TempDir
    Path dir;
    private TestDnsServer server;

    @BeforeEach
    void startServer() throws Exception {
        server = TestDnsServer.start();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @ParameterizedTest(name = "epoll={0}")
    @ValueSource(booleans = {false, true})
    void everyAddressOfBothFamiliesInTheServersOrderIPv4First(boolean epoll) throws Exception {
        Assumptions.assumeTrue(!epoll || ResolverFixture.epollAvailable(), "epoll not available");
        server.set("multi.test", aaaa("::1", 60), a("127.0.0.3", 60), a("127.0.0.2", 60), aaaa("::2", 60));
        try (ResolverFixture fixture = new ResolverFixture(dir, 1, epoll)) {
            HostResolver resolver = fixture.resolver(server.address());

            assertEquals(addresses("127.0.0.3", "127.0.0.2", "::1", "::2"), fixture.resolve(resolver, "multi.test"));
            assertEquals(2, server.queries("multi.test"), "one A and one AAAA query");
        }
    }

    @ParameterizedTest(name = "epoll={0}")
    @ValueSource(booleans = {false, true})
    void aTruncatedAnswerIsAskedForAgainOverTcp(boolean epoll) throws Exception {
        Assumptions.assumeTrue(!epoll || ResolverFixture.epollAvailable(), "epoll not available");
        server.set("big.test", a("127.0.0.2", 60), aaaa("::2", 60));
        server.truncate("big.test");
        try (ResolverFixture fixture = new ResolverFixture(dir, 1, epoll)) {
            assertEquals(addresses("127.0.0.2", "::2"), fixture.resolve(fixture.resolver(server.address()), "big.test"));
            assertEquals(2, server.tcpQueries("big.test"), "A and AAAA again over TCP");
        }
    }

    @Test
    void aNameWithOneFamilyGivesThatFamily() throws Exception {
        server.set("v6only.test", aaaa("::1", 60));
        try (ResolverFixture fixture = new ResolverFixture(dir)) {
            assertEquals(addresses("::1"), fixture.resolve(fixture.resolver(server.address()), "v6only.test"));
        }
    }

    @Test
    void aNameThatDoesNotExistFailsWithUnknownHostExceptionNamingIt() throws Exception {
        try (ResolverFixture fixture = new ResolverFixture(dir)) {
            Throwable failure = fixture.failure(fixture.resolver(server.address()), "nowhere.test");

            assertInstanceOf(UnknownHostException.class, failure);
            assertTrue(failure.getMessage().contains("nowhere.test"), failure.getMessage());
            assertTrue(server.queries("nowhere.test") > 0, "the server was asked");
        }
    }

    @Test
    void theHostsFileIsReadFirstAndItsNamesAreNotAskedFor() throws Exception {
        server.set("both.test", a("127.0.0.6", 60));
        server.set("dns-only.test", a("127.0.0.7", 60));
        try (ResolverFixture fixture = new ResolverFixture(dir)) {
            Path hosts = fixture.hosts("# test hosts", "127.0.0.5 both.test alias.test", "::5 both.test");
            HostResolver resolver = fixture.create(new io.keepwell.netty.dns.ResolverSettings(List.of(server.address()),
                    fixture.resolvConf(), hosts, Duration.ZERO, Duration.ofMinutes(5), Duration.ofSeconds(10)));

            assertEquals(addresses("127.0.0.5", "::5"), fixture.resolve(resolver, "both.test"));
            assertEquals(addresses("127.0.0.5", "::5"), fixture.resolve(resolver, "BOTH.test."), "case and trailing dot");
            assertEquals(addresses("127.0.0.5"), fixture.resolve(resolver, "alias.test"));
            assertEquals(0, server.queries("both.test"), "no query for a name in the hosts file");
            assertEquals(addresses("127.0.0.7"), fixture.resolve(resolver, "dns-only.test"), "other names go to the server");
        }
    }

    @Test
    void localhostIsLoopbackWithoutAQuery() throws Exception {
        server.set("localhost", a("127.0.0.9", 60));
        try (ResolverFixture fixture = new ResolverFixture(dir)) {
            List<java.net.InetAddress> found = fixture.resolve(fixture.resolver(server.address()), "localhost");

            assertTrue(found.stream().allMatch(java.net.InetAddress::isLoopbackAddress), found.toString());
            assertEquals(0, server.queries("localhost"), "RFC 6761: Netty answers localhost itself");
        }
    }

    @Test
    void theSystemHostsFileIsNotReadWhenAnotherIsGiven() throws Exception {
        String systemName = systemHostsName();
        Assumptions.assumeTrue(systemName != null, "/etc/hosts names nothing but localhost");
        server.set(systemName, a("127.0.0.9", 60));
        try (ResolverFixture fixture = new ResolverFixture(dir)) {
            assertEquals(addresses("127.0.0.9"), fixture.resolve(fixture.resolver(server.address()), systemName));
            assertTrue(server.queries(systemName) > 0);
        }
    }

    /** A name /etc/hosts gives an IPv4 address, other than localhost's; null if none. */
    private static String systemHostsName() throws java.io.IOException {
        Path hosts = Path.of("/etc/hosts");
        if (!java.nio.file.Files.isReadable(hosts)) {
            return null;
        }
        for (String line : java.nio.file.Files.readAllLines(hosts)) {
            String[] words = line.replaceAll("#.*", "").trim().split("\\s+");
            for (int i = 1; i < words.length && words[0].contains("."); i++) {
                if (!words[i].toLowerCase(java.util.Locale.ROOT).contains("localhost")) {
                    return words[i];
                }
            }
        }
        return null;
    }
}
