package io.keepwell.it.realserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static io.keepwell.it.realserver.RouteCalls.WAIT;
import static io.keepwell.it.realserver.RouteCalls.assertAskedAsProxy;
import static io.keepwell.it.realserver.RouteCalls.assertNamesProxy;
import static io.keepwell.it.realserver.RouteCalls.certificates;
import static io.keepwell.it.realserver.RouteCalls.failure;
import static io.keepwell.it.realserver.RouteCalls.proxied;
import static io.keepwell.it.realserver.RouteCalls.send;

import io.keepwell.http.ProxyException;
import io.keepwell.it.support.Actions;
import io.keepwell.it.support.Causes;
import io.keepwell.it.support.ClientLeakCheck;
import io.keepwell.it.support.ConnectEvents;
import io.keepwell.it.support.ConnectEvents.Kind;
import io.keepwell.it.support.DanteContainer;
import io.keepwell.it.support.FreePorts;
import io.keepwell.it.support.NoClientDns;
import io.keepwell.it.support.Poll;
import io.keepwell.it.support.ProxyUser;
import io.keepwell.it.support.RequiresDocker;
import io.keepwell.it.support.ScriptedServer;
import io.keepwell.it.support.ScriptedServers;
import io.keepwell.it.support.TestCertificates;
import io.keepwell.netty.KeepwellHttpClient;
import java.net.Authenticator;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * The client through a real SOCKS5 server (dante), without and with username authentication:
 * http and https (TLS to the origin through the SOCKS connection) succeed and reuse their
 * connection, credentials come from the {@link Authenticator} asked for a proxy, and refusals and
 * a dead server fail with a {@link ProxyException} naming the server. Origins are in-process
 * servers on 127.0.0.1, addressed by IP literal (dante resolves no names).
 */
@RequiresDocker
@Testcontainers(parallel = true)
class RealServerSocksTest {

    private static final ProxyUser BOB = new ProxyUser("bob", "builder7");
    private static final TestCertificates CERTIFICATE = certificates("ip:127.0.0.1");

    @RegisterExtension
    static final NoClientDns noDns = new NoClientDns("to IP literals through SOCKS");

    @Container
    static final DanteContainer dante = new DanteContainer();

    @Container
    static final DanteContainer authDante = new DanteContainer().withUsernameAuth(BOB);

    @RegisterExtension
    final ScriptedServers servers = new ScriptedServers();

    @RegisterExtension
    final ClientLeakCheck clients = new ClientLeakCheck();

    private final ConnectEvents events = new ConnectEvents();

    private KeepwellHttpClient client(DanteContainer socks, Authenticator authenticator) throws Exception {
        return client(socks.proxy(), authenticator);
    }

    private KeepwellHttpClient client(Proxy socks, Authenticator authenticator) throws Exception {
        return clients.newClient(proxied(DanteContainer.selectorOf(socks), authenticator, noDns, CERTIFICATE, events));
    }

    @Test
    void httpGoesThroughSocksOverOneReusedConnection() throws Exception {
        ScriptedServer origin = servers.start(r -> Actions.ok("socks " + r.target()));
        long sessionsBefore = dante.sessionsOpened();
        KeepwellHttpClient client = client(dante, null);
        for (int i = 1; i <= 3; i++) {
            assertEquals("socks /s" + i, send(client, "http://127.0.0.1:" + origin.port() + "/s" + i).body());
        }
        assertEquals(1, origin.acceptedConnections(), "one connection carried all three");
        assertEquals("127.0.0.1:" + origin.port(), origin.requests().get(0).header("Host"));
        assertEquals(List.of(dante.address()), events.addresses(Kind.CONNECT_END), "the connect went to dante: " + events.all());
        assertEquals(1, client.poolStats().open());
        List<String> sessions = Poll.until(dante::sessionLines, lines -> lines.size() >= sessionsBefore + 1, WAIT, "dante's session");
        assertEquals(sessionsBefore + 1, sessions.size(), sessions.toString());
        assertTrue(sessions.get(sessions.size() - 1).contains(DanteContainer.logged(new InetSocketAddress(FreePorts.LOOPBACK, origin.port()))), sessions.toString());
    }

    @Test
    void httpsGoesThroughSocksWithTlsToTheOriginAndIsReused() throws Exception {
        ScriptedServer origin = servers.startTls(CERTIFICATE.serverContext(), r -> Actions.ok("tls " + r.target()));
        KeepwellHttpClient client = client(dante, null);
        for (int i = 1; i <= 3; i++) {
            assertEquals("tls /t" + i, send(client, "https://127.0.0.1:" + origin.port() + "/t" + i).body());
        }
        assertEquals(1, origin.acceptedConnections());
        assertEquals(List.of(dante.address()), events.addresses(Kind.CONNECT_END), events.all().toString());
        assertEquals(1, client.poolStats().open());
    }

    @Test
    void usernameAuthenticationComesFromTheAuthenticator() throws Exception {
        ScriptedServer plain = servers.start(r -> Actions.ok("plain"));
        ScriptedServer secure = servers.startTls(CERTIFICATE.serverContext(), r -> Actions.ok("secure"));
        ProxyUser.RecordingAuthenticator authenticator = BOB.authenticator();
        KeepwellHttpClient client = client(authDante, authenticator);

        assertEquals("plain", send(client, "http://127.0.0.1:" + plain.port() + "/").body());
        assertEquals("plain", send(client, "http://127.0.0.1:" + plain.port() + "/again").body());
        assertEquals("secure", send(client, "https://127.0.0.1:" + secure.port() + "/").body());

        assertAskedAsProxy(authenticator);
        assertEquals(1, plain.acceptedConnections(), "reused after authenticating once");
        Poll.until(authDante::sessionLines, lines -> lines.stream().filter(l -> l.contains("username%" + BOB.name() + "@")).count() >= 2,
                WAIT, "dante's sessions of the authenticated user");
    }

    @Test
    void withoutCredentialsTheSocksRefusalIsAProxyException() throws Exception {
        ScriptedServer origin = servers.start(r -> Actions.ok("never"));
        KeepwellHttpClient client = client(authDante, null);
        ProxyException e = Causes.require(failure(client, "http://127.0.0.1:" + origin.port() + "/"), ProxyException.class);
        assertEquals(0, e.statusCode(), "SOCKS has no HTTP status: " + e);
        assertNamesProxy(authDante.proxy(), e);
        assertEquals(0, origin.acceptedConnections());
    }

    @Test
    void wrongCredentialsAreAProxyException() throws Exception {
        ScriptedServer origin = servers.start(r -> Actions.ok("never"));
        ProxyUser.RecordingAuthenticator wrong = new ProxyUser(BOB.name(), "wrong").authenticator();
        KeepwellHttpClient client = client(authDante, wrong);
        ProxyException e = Causes.require(failure(client, "http://127.0.0.1:" + origin.port() + "/"), ProxyException.class);
        assertEquals(0, e.statusCode(), e.toString());
        assertFalse(wrong.asks().isEmpty(), "the authenticator was asked");
        assertEquals(0, origin.acceptedConnections());
    }

    @Test
    void aDeadSocksServerIsAProxyExceptionNamingIt() throws Exception {
        InetSocketAddress dead = new InetSocketAddress(FreePorts.LOOPBACK, FreePorts.pick());
        ScriptedServer origin = servers.start(r -> Actions.ok("never"));
        KeepwellHttpClient client = client(new Proxy(Proxy.Type.SOCKS, dead), null);
        ExecutionException failure = failure(client, "http://127.0.0.1:" + origin.port() + "/");
        ConnectException connect = Causes.require(failure, ConnectException.class);
        assertTrue(connect.getMessage().contains("127.0.0.1:" + dead.getPort()), "names the server: " + connect.getMessage());
        ProxyException e = Causes.require(failure, ProxyException.class);
        assertEquals(0, e.statusCode());
        assertNamesProxy(new Proxy(Proxy.Type.SOCKS, dead), e);
        assertEquals(List.of(dead), events.addresses(Kind.CONNECT_FAILED), events.all().toString());
    }

    @Test
    void aSocksServerThatClosesTheTunnelsTargetReportsAFailedConnect() throws Exception {
        int deadPort = FreePorts.pick();
        KeepwellHttpClient client = client(dante, null);
        ProxyException e = Causes.require(failure(client, "http://127.0.0.1:" + deadPort + "/"), ProxyException.class);
        assertEquals(0, e.statusCode(), e.toString());
        assertNamesProxy(dante.proxy(), e);
    }

}
