package io.keepwell.it.realserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keepwell.it.support.Actions;
import io.keepwell.it.support.DanteContainer;
import io.keepwell.it.support.DnsQuery;
import io.keepwell.it.support.DnsmasqContainer;
import io.keepwell.it.support.EngineApiSocket;
import io.keepwell.it.support.FreePorts;
import io.keepwell.it.support.NginxContainer;
import io.keepwell.it.support.ProxyUser;
import io.keepwell.it.support.RawHttpConnection;
import io.keepwell.it.support.RawResponse;
import io.keepwell.it.support.RequiresDocker;
import io.keepwell.it.support.ScriptedServer;
import io.keepwell.it.support.ScriptedServers;
import io.keepwell.it.support.SilentNameServer;
import io.keepwell.it.support.Socks5Handshake;
import io.keepwell.it.support.SquidContainer;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * Proves each route fixture (dnsmasq, squid, dante, nginx on a Unix socket, the engine's API
 * socket) does what the route tests rely on, with hand-written DNS, HTTP and SOCKS5 on raw
 * sockets: no Keepwell, so a failure here is the fixture's.
 */
@RequiresDocker
@Testcontainers(parallel = true)
class RealServerRouteFixturesTest {

    private static final ProxyUser ALICE = new ProxyUser("alice", "secret1");
    private static final Duration WAIT = Duration.ofSeconds(5);

    static final SilentNameServer silent = SilentNameServer.start();

    @Container
    static final DnsmasqContainer dnsmasq = new DnsmasqContainer()
            .withAddresses("multi.test", "127.0.0.2", "127.0.0.1")
            .withAddresses("moving.test", "127.0.0.1")
            .withLocalTtl(Duration.ofSeconds(3))
            .withSilentDomain("silent.test", silent.address());

    @Container
    static final SquidContainer squid = new SquidContainer();

    @Container
    static final SquidContainer authSquid = new SquidContainer().withBasicAuth(ALICE);

    @Container
    static final DanteContainer dante = new DanteContainer();

    @Container
    static final DanteContainer authDante = new DanteContainer().withUsernameAuth(ALICE);

    @Container
    static final NginxContainer unixNginx = new NginxContainer().withUnixSocket(socketDirectory());

    @RegisterExtension
    final ScriptedServers servers = new ScriptedServers();

    private static Path socketDirectory() {
        try {
            Path dir = Files.createTempDirectory("keepwell-nginx-sock");
            dir.toFile().setWritable(true, false);
            return dir;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @AfterAll
    static void cleanUp() throws Exception {
        silent.close();
        Files.deleteIfExists(unixNginx.unixSocket());
        Files.deleteIfExists(unixNginx.unixSocket().getParent());
    }

    @Test
    void dnsmasqAnswersTheGivenAddressesInOrderWithTheLocalTtl() throws Exception {
        for (int i = 0; i < 4; i++) { // the same order every time: no round robin
            DnsQuery.Answer answer = DnsQuery.ask(dnsmasq.nameServer(), "multi.test", DnsQuery.A, WAIT);
            assertEquals(0, answer.responseCode());
            assertEquals(List.of(ip("127.0.0.2"), ip("127.0.0.1")), answer.addresses(), "answer " + i);
            assertEquals(List.of(3, 3), answer.ttls());
            DnsQuery.ask(dnsmasq.nameServer(), "multi.test", DnsQuery.AAAA, WAIT);
        }
        DnsQuery.Answer aaaa = DnsQuery.ask(dnsmasq.nameServer(), "multi.test", DnsQuery.AAAA, WAIT);
        assertEquals(0, aaaa.responseCode(), "a known name without AAAA records: NOERROR, no data");
        assertEquals(List.of(), aaaa.addresses());
    }

    @Test
    void dnsmasqAnswersAnUnknownTestNameWithNxdomain() throws Exception {
        assertEquals(3, DnsQuery.ask(dnsmasq.nameServer(), "nobody.test", DnsQuery.A, WAIT).responseCode());
    }

    @Test
    void dnsmasqForwardsTheSilentDomainToAServerThatNeverAnswers() throws Exception {
        int before = silent.queriesReceived();
        assertThrows(SocketTimeoutException.class,
                () -> DnsQuery.ask(dnsmasq.nameServer(), "host.silent.test", DnsQuery.A, Duration.ofMillis(500)));
        io.keepwell.it.support.Poll.until(silent::queriesReceived, n -> n > before, WAIT, "the forwarded query");
    }

    @Test
    void dnsmasqServesReplacedAddressesAfterItsReload() throws Exception {
        dnsmasq.replaceAddresses(Map.of("moving.test", List.of("127.0.0.3")));
        try {
            assertEquals(List.of(ip("127.0.0.3")),
                    DnsQuery.ask(dnsmasq.nameServer(), "moving.test", DnsQuery.A, WAIT).addresses());
            assertEquals(3, DnsQuery.ask(dnsmasq.nameServer(), "multi.test", DnsQuery.A, WAIT).responseCode(),
                    "the replacement drops the names it does not list");
        } finally {
            dnsmasq.replaceAddresses(Map.of("multi.test", List.of("127.0.0.2", "127.0.0.1"),
                    "moving.test", List.of("127.0.0.1")));
        }
    }

    @Test
    void aSecondLoopbackAddressRefusesConnectionsAndCanBeBound() throws Exception {
        ScriptedServer origin = servers.start(r -> Actions.ok("one"));
        try (Socket live = new Socket()) {
            live.connect(new InetSocketAddress(ip("127.0.0.1"), origin.port()), 1_000);
        }
        try (Socket dead = new Socket()) {
            assertThrows(ConnectException.class,
                    () -> dead.connect(new InetSocketAddress(ip("127.0.0.2"), origin.port()), 1_000));
        }
        ScriptedServer second = servers.startOn(new InetSocketAddress(ip("127.0.0.3"), origin.port()), r -> Actions.ok("three"));
        try (RawHttpConnection conn = RawHttpConnection.open(new InetSocketAddress(ip("127.0.0.3"), second.port()))) {
            assertEquals("three", conn.get("/").bodyText());
        }
    }

    @Test
    void squidForwardsAbsoluteFormRequestsToTheOriginName() throws Exception {
        ScriptedServer origin = servers.start(r -> Actions.ok("forwarded"));
        String url = "http://" + SquidContainer.ORIGIN_HOST + ":" + origin.port() + "/forward";
        try (RawHttpConnection conn = RawHttpConnection.open(squid.address())) {
            RawResponse r = conn.get(url);
            assertEquals(200, r.status(), r.toString());
            assertEquals("forwarded", r.bodyText());
        }
        ScriptedServer.Request seen = origin.requests().get(0);
        assertEquals("/forward", seen.target());
        assertNotNull(seen.header("Via"), "squid adds Via: " + seen.headerLines());
        squid.awaitAccessLog(e -> e.url().equals(url) && e.status() == 200, 1, WAIT);
    }

    @Test
    void squidTunnelsConnectAndReportsRefusals() throws Exception {
        ScriptedServer origin = servers.start(r -> Actions.ok("tunnelled"));
        String target = SquidContainer.ORIGIN_HOST + ":" + origin.port();
        try (RawHttpConnection conn = RawHttpConnection.open(squid.address())) {
            assertEquals(200, conn.exchange("CONNECT", target, null).status());
            assertEquals("tunnelled", conn.get("/in-tunnel").bodyText());
            assertEquals("tunnelled", conn.get("/in-tunnel").bodyText());
        }
        assertEquals(1, origin.acceptedConnections(), "one origin connection per tunnel");
        assertTrue(origin.requests().stream().allMatch(r -> r.header("Via") == null),
                "squid passes the tunnel's bytes untouched: " + origin.requests());
        squid.awaitAccessLog(e -> e.method().equals("CONNECT") && e.url().equals(target) && e.status() == 200, 1, WAIT);

        int deadPort = FreePorts.pick();
        try (RawHttpConnection conn = RawHttpConnection.open(squid.address())) {
            assertEquals(403, conn.exchange("CONNECT", SquidContainer.DENIED_HOST + ":" + origin.port(), null).status());
        }
        try (RawHttpConnection conn = RawHttpConnection.open(squid.address())) {
            assertEquals(503, conn.exchange("CONNECT", SquidContainer.ORIGIN_HOST + ":" + deadPort, null).status());
        }
        try (RawHttpConnection conn = RawHttpConnection.open(squid.address())) {
            assertEquals(403, conn.get("http://" + SquidContainer.DENIED_HOST + ":" + origin.port() + "/").status());
        }
    }

    @Test
    void authSquidAsksForBasicCredentialsAndAcceptsOnlyTheRightOnes() throws Exception {
        ScriptedServer origin = servers.start(r -> Actions.ok("authorized"));
        String url = "http://" + SquidContainer.ORIGIN_HOST + ":" + origin.port() + "/auth";
        try (RawHttpConnection conn = RawHttpConnection.open(authSquid.address())) {
            RawResponse none = conn.get(url);
            assertEquals(407, none.status());
            assertTrue(none.header("Proxy-Authenticate").startsWith("Basic"), none.toString());
            assertEquals(407, conn.get(url, "Proxy-Authorization: " + new ProxyUser("alice", "wrong").basicAuthorization()).status());
            RawResponse ok = conn.get(url, "Proxy-Authorization: " + ALICE.basicAuthorization());
            assertEquals(200, ok.status());
            assertEquals("authorized", ok.bodyText());
            assertEquals(407, conn.exchange("CONNECT", SquidContainer.ORIGIN_HOST + ":" + origin.port(), null).status());
        }
        authSquid.awaitAccessLog(e -> e.url().equals(url) && e.status() == 200 && e.user().equals("alice"), 1, WAIT);
    }

    @Test
    void danteCarriesConnectionsWithoutAuthentication() throws Exception {
        ScriptedServer origin = servers.start(r -> Actions.ok("socks"));
        InetSocketAddress destination = new InetSocketAddress(FreePorts.LOOPBACK, origin.port());
        long before = dante.sessionsOpened();
        try (RawHttpConnection conn = RawHttpConnection.over(Socks5Handshake.connect(dante.address(), destination, null), destination)) {
            assertEquals("socks", conn.get("/a").bodyText());
            assertEquals("socks", conn.get("/b").bodyText());
        }
        assertEquals(1, origin.acceptedConnections());
        io.keepwell.it.support.Poll.until(dante::sessionLines,
                lines -> lines.size() == before + 1 && lines.get(lines.size() - 1).contains(DanteContainer.logged(destination)),
                WAIT, "dante's log of the session");
    }

    @Test
    void authDanteAcceptsOnlyTheUsernameMethodWithTheRightPassword() throws Exception {
        ScriptedServer origin = servers.start(r -> Actions.ok("socks-auth"));
        InetSocketAddress destination = new InetSocketAddress(FreePorts.LOOPBACK, origin.port());
        Socks5Handshake.Refused noAuth = assertThrows(Socks5Handshake.Refused.class,
                () -> Socks5Handshake.connect(authDante.address(), destination, null));
        assertEquals(0xFF, noAuth.code(), "no acceptable method");
        Socks5Handshake.Refused wrong = assertThrows(Socks5Handshake.Refused.class,
                () -> Socks5Handshake.connect(authDante.address(), destination, new ProxyUser("alice", "wrong")));
        assertTrue(wrong.code() != 0, "a failed username check");
        try (RawHttpConnection conn = RawHttpConnection.over(Socks5Handshake.connect(authDante.address(), destination, ALICE), destination)) {
            assertEquals("socks-auth", conn.get("/").bodyText());
        }
        assertEquals(1, origin.acceptedConnections(), "only the authenticated handshake reached the origin");
    }

    @Test
    void nginxServesItsUnixSocketAndCountsRequestsPerConnection() throws Exception {
        try (RawHttpConnection conn = RawHttpConnection.openUnix(unixNginx.unixSocket(), "localhost")) {
            String connection = null;
            for (int i = 1; i <= 3; i++) {
                RawResponse r = conn.get(NginxContainer.CONNECTION);
                assertEquals(200, r.status());
                assertEquals(String.valueOf(i), r.header(NginxContainer.CONNECTION_REQUESTS_HEADER));
                if (connection == null) {
                    connection = r.header(NginxContainer.CONNECTION_HEADER);
                }
                assertEquals(connection, r.header(NginxContainer.CONNECTION_HEADER));
            }
        }
        try (RawHttpConnection fresh = RawHttpConnection.openUnix(unixNginx.unixSocket(), "localhost")) {
            assertEquals("1", fresh.get(NginxContainer.CONNECTION).header(NginxContainer.CONNECTION_REQUESTS_HEADER));
        }
    }

    @Test
    void theEngineApiSocketAnswersPingAndVersion() throws Exception {
        Path socket = EngineApiSocket.path();
        try (RawHttpConnection conn = RawHttpConnection.openUnix(socket, "docker")) {
            RawResponse ping = conn.get("/_ping");
            assertEquals(200, ping.status());
            assertEquals("OK", ping.bodyText());
            RawResponse version = conn.get("/version");
            assertEquals(200, version.status());
            assertTrue(version.bodyText().contains("\"ApiVersion\""), version.bodyText());
        }
    }

    private static InetAddress ip(String literal) throws IOException {
        return InetAddress.getByName(literal); // a literal: no lookup
    }
}
