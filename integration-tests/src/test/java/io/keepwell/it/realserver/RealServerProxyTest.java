package io.keepwell.it.realserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static io.keepwell.it.realserver.RouteCalls.WAIT;
import static io.keepwell.it.realserver.RouteCalls.assertAskedAsProxy;
import static io.keepwell.it.realserver.RouteCalls.assertNamesProxy;
import static io.keepwell.it.realserver.RouteCalls.certificates;
import static io.keepwell.it.realserver.RouteCalls.failure;
import static io.keepwell.it.realserver.RouteCalls.proxied;
import static io.keepwell.it.realserver.RouteCalls.send;

import io.keepwell.http.ProxyException;
import io.keepwell.it.support.AccessLogEntry;
import io.keepwell.it.support.Actions;
import io.keepwell.it.support.Causes;
import io.keepwell.it.support.ClientLeakCheck;
import io.keepwell.it.support.ConnectEvents;
import io.keepwell.it.support.ConnectEvents.Kind;
import io.keepwell.it.support.FreePorts;
import io.keepwell.it.support.NginxContainer;
import io.keepwell.it.support.NoClientDns;
import io.keepwell.it.support.Poll;
import io.keepwell.it.support.ProxyUser;
import io.keepwell.it.support.RequiresDocker;
import io.keepwell.it.support.ScriptedServer;
import io.keepwell.it.support.ScriptedServers;
import io.keepwell.it.support.SquidContainer;
import io.keepwell.it.support.TestCertificates;
import io.keepwell.netty.KeepwellHttpClient;
import io.keepwell.pool.CloseReason;
import io.keepwell.pool.PoolStats;
import java.net.Authenticator;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * The client through real squid proxies: http forwarded in absolute form, https tunnelled with
 * {@code CONNECT} (TLS, SNI and hostname verification against the origin inside the tunnel),
 * connections reused, Basic proxy authentication from the {@link Authenticator}, refusals as
 * {@link ProxyException}s, and connections through different proxies pooled apart.
 *
 * <p>The origins are in-process servers on 127.0.0.1 that squid reaches by the name
 * {@link SquidContainer#ORIGIN_HOST} from its hosts file. The client's own name server is a
 * silent name server ({@link NoClientDns}): through a proxy the client must resolve nothing, and it is checked
 * to have received no query.
 */
@RequiresDocker
@Testcontainers(parallel = true)
class RealServerProxyTest {

    private static final ProxyUser ALICE = new ProxyUser("alice", "wonderland1");
    private static final TestCertificates ORIGIN_CERTIFICATE = certificates("dns:" + SquidContainer.ORIGIN_HOST);
    private static final TestCertificates OTHER_CERTIFICATE = certificates("dns:other.test");

    @RegisterExtension
    static final NoClientDns noDns = new NoClientDns("through a proxy");

    @Container
    static final SquidContainer squid = new SquidContainer();

    @Container
    static final SquidContainer secondSquid = new SquidContainer();

    @Container
    static final SquidContainer authSquid = new SquidContainer().withBasicAuth(ALICE);

    /** An HTTP/2 origin over TLS (ALPN h2), reached through squid as origin.test. */
    @Container
    static final NginxContainer h2Origin = new NginxContainer().withTls(ORIGIN_CERTIFICATE).withHttp2();

    @RegisterExtension
    final ScriptedServers servers = new ScriptedServers();

    @RegisterExtension
    final ClientLeakCheck clients = new ClientLeakCheck();

    private final ConnectEvents events = new ConnectEvents();

    private KeepwellHttpClient client(ProxySelector proxy, Authenticator authenticator) throws Exception {
        return clients.newClient(proxied(proxy, authenticator, noDns, ORIGIN_CERTIFICATE, events));
    }

    @Test
    void httpIsForwardedInAbsoluteFormOverOneReusedProxyConnection() throws Exception {
        ScriptedServer origin = servers.start(r -> Actions.ok("forwarded " + r.target()));
        KeepwellHttpClient client = client(squid.selector(), null);
        for (int i = 1; i <= 3; i++) {
            HttpResponse<String> r = send(client, "http://" + SquidContainer.ORIGIN_HOST + ":" + origin.port() + "/f" + i);
            assertEquals(200, r.statusCode());
            assertEquals("forwarded /f" + i, r.body());
        }
        assertEquals(List.of("/f1", "/f2", "/f3"), origin.requests().stream().map(ScriptedServer.Request::target).toList());
        assertTrue(origin.requests().stream().allMatch(r -> r.header("Via") != null), "squid carried each: " + origin.requests());
        assertEquals(List.of(squid.address()), events.addresses(Kind.CONNECT_END), "one connection, to the proxy: " + events.all());
        assertEquals(1, client.poolStats().open());
        squid.awaitAccessLog(e -> e.method().equals("GET") && e.url().contains(":" + origin.port() + "/f") && e.status() == 200, 3, WAIT);
    }

    @Test
    void httpsTunnelsThroughConnectToTheOriginsNameAndTheTunnelIsReused() throws Exception {
        ScriptedServer origin = servers.startTls(ORIGIN_CERTIFICATE.serverContext(), r -> Actions.ok("secret " + r.target()));
        KeepwellHttpClient client = client(squid.selector(), null);
        String base = "https://" + SquidContainer.ORIGIN_HOST + ":" + origin.port();
        for (int i = 1; i <= 3; i++) {
            assertEquals("secret /t" + i, send(client, base + "/t" + i).body());
        }
        assertEquals(1, origin.acceptedConnections(), "one tunnel carried all three");
        assertEquals(List.of(SquidContainer.ORIGIN_HOST), origin.serverNames(), "SNI names the origin, not the proxy");
        assertTrue(origin.requests().stream().allMatch(r -> r.header("Via") == null), "squid only relayed bytes");
        assertEquals(SquidContainer.ORIGIN_HOST + ":" + origin.port(), origin.requests().get(0).header("Host"));
        assertEquals(List.of(squid.address()), events.addresses(Kind.CONNECT_END), events.all().toString());
        assertEquals(1, client.poolStats().open());

        client.closeIdleConnections(); // squid logs a tunnel when it closes
        String target = SquidContainer.ORIGIN_HOST + ":" + origin.port();
        List<SquidContainer.LogEntry> tunnels = squid.awaitAccessLog(e -> e.method().equals("CONNECT") && e.url().equals(target), 1, WAIT);
        assertEquals(1, tunnels.size(), "one CONNECT: " + tunnels);
        assertEquals(200, tunnels.get(0).status());
    }

    @Test
    void http2InsideOneTunnelCarriesConcurrentStreams() throws Exception {
        KeepwellHttpClient client = client(squid.selector(), null);
        String base = "https://" + SquidContainer.ORIGIN_HOST + ":" + h2Origin.port();
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            calls.add(client.sendAsync(HttpRequest.newBuilder(URI.create(base + NginxContainer.delay(Duration.ofMillis(200)) + "&tunnel=" + i)).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> call : calls) {
            HttpResponse<String> r = call.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertEquals(200, r.statusCode());
            assertEquals(HttpClient.Version.HTTP_2, r.version());
        }
        assertEquals(1, client.poolStats().opened(), "one tunnel: " + client.poolStats());
        List<AccessLogEntry> served = h2Origin.awaitAccessLog(e -> e.uri().contains("&tunnel="), 8, WAIT);
        assertEquals(1, served.stream().map(AccessLogEntry::connection).distinct().count(), "nginx saw one connection: " + served);
        assertTrue(served.stream().allMatch(e -> e.protocol().equals("HTTP/2.0")), served.toString());
        client.closeIdleConnections();
        String target = SquidContainer.ORIGIN_HOST + ":" + h2Origin.port();
        assertEquals(1, squid.awaitAccessLog(e -> e.method().equals("CONNECT") && e.url().equals(target), 1, WAIT).size());
    }

    @Test
    void aTunnelThatClosesWhileIdleLeavesThePoolAndTheNextRequestOpensAnother() throws Exception {
        CountDownLatch closeFirstTunnel = new CountDownLatch(1);
        ScriptedServer.Action ok = Actions.ok("tunnelled");
        ScriptedServer.Action okThenCloseOnSignal = (request, socket, out) -> {
            ok.perform(request, socket, out);
            closeFirstTunnel.await(WAIT.toSeconds(), TimeUnit.SECONDS);
            return false; // the server closes the connection
        };
        ScriptedServer origin = servers.startTls(ORIGIN_CERTIFICATE.serverContext(),
                r -> r.connectionId() == 1 ? okThenCloseOnSignal : ok);
        KeepwellHttpClient client = client(squid.selector(), null);
        String uri = "https://" + SquidContainer.ORIGIN_HOST + ":" + origin.port() + "/idle";

        assertEquals("tunnelled", send(client, uri).body());
        Poll.until(client::poolStats, s -> s.idle() == 1, WAIT, "the tunnel idle in the pool");
        closeFirstTunnel.countDown(); // the origin closes; squid closes the client's side of the tunnel
        PoolStats closed = Poll.until(client::poolStats, s -> s.open() == 0, WAIT, "the closed tunnel gone from the pool");
        assertEquals(1, closed.closedBy(CloseReason.PEER_CLOSED), closed.toString());

        assertEquals("tunnelled", send(client, uri).body());
        assertEquals(2, origin.acceptedConnections());
        assertEquals(2, client.poolStats().opened(), "a new tunnel, no failed attempt on the dead one: " + client.poolStats());
        assertEquals(0, client.poolStats().retried());
    }

    @Test
    void theCertificateInsideTheTunnelIsCheckedAgainstTheOriginsName() throws Exception {
        ScriptedServer origin = servers.startTls(OTHER_CERTIFICATE.serverContext(), r -> Actions.ok("unreachable"));
        KeepwellHttpClient client = client(squid.selector(), null);
        ExecutionException e = failure(client, "https://" + SquidContainer.ORIGIN_HOST + ":" + origin.port() + "/");
        Causes.require(e, SSLHandshakeException.class);
        assertEquals(0, origin.requestCount());
    }

    @Test
    void basicProxyAuthenticationForATunnelComesFromTheAuthenticator() throws Exception {
        ScriptedServer secure = servers.startTls(ORIGIN_CERTIFICATE.serverContext(), r -> Actions.ok("secure"));
        ProxyUser.RecordingAuthenticator authenticator = ALICE.authenticator();
        KeepwellHttpClient client = client(authSquid.selector(), authenticator);

        assertEquals("secure", send(client, "https://" + SquidContainer.ORIGIN_HOST + ":" + secure.port() + "/b").body());
        assertEquals("secure", send(client, "https://" + SquidContainer.ORIGIN_HOST + ":" + secure.port() + "/c").body());

        assertAskedAsProxy(authenticator);
        assertEquals(1, secure.acceptedConnections(), "the authenticated tunnel was reused");
        client.closeIdleConnections();
        String target = SquidContainer.ORIGIN_HOST + ":" + secure.port();
        authSquid.awaitAccessLog(e -> e.method().equals("CONNECT") && e.url().equals(target) && e.status() == 200
                && e.user().equals(ALICE.name()), 1, WAIT);
    }

    @Test
    void basicProxyAuthenticationForAForwardedRequestComesFromTheAuthenticator() throws Exception {
        ScriptedServer plain = servers.start(r -> Actions.ok("plain"));
        ProxyUser.RecordingAuthenticator authenticator = ALICE.authenticator();
        KeepwellHttpClient client = client(authSquid.selector(), authenticator);

        assertEquals("plain", send(client, "http://" + SquidContainer.ORIGIN_HOST + ":" + plain.port() + "/a").body());
        assertEquals("plain", send(client, "http://" + SquidContainer.ORIGIN_HOST + ":" + plain.port() + "/a2").body());

        assertAskedAsProxy(authenticator);
        assertNull(plain.requests().get(0).header("Proxy-Authorization"), "squid does not pass the credentials on");
        assertEquals(1, client.poolStats().open(), "one proxy connection");
        authSquid.awaitAccessLog(e -> e.user().equals(ALICE.name()) && e.status() == 200 && e.url().endsWith(plain.port() + "/a2"), 1, WAIT);
    }

    @Test
    void withoutCredentialsATunnelsRefusalIsAProxyException407() throws Exception {
        ScriptedServer secure = servers.startTls(ORIGIN_CERTIFICATE.serverContext(), r -> Actions.ok("secure"));
        KeepwellHttpClient client = client(authSquid.selector(), null);
        ProxyException tunnel = Causes.require(failure(client, "https://" + SquidContainer.ORIGIN_HOST + ":" + secure.port() + "/"),
                ProxyException.class);
        assertEquals(407, tunnel.statusCode(), tunnel.toString());
        assertNamesProxy(authSquid.proxy(), tunnel);
        assertEquals(0, secure.acceptedConnections(), "nothing reached the origin");
    }

    @Test
    void withoutCredentialsAForwardedRequestsRefusalIsAProxyException407() throws Exception {
        ScriptedServer plain = servers.start(r -> Actions.ok("plain"));
        KeepwellHttpClient client = client(authSquid.selector(), null);
        ProxyException forwarded = Causes.require(failure(client, "http://" + SquidContainer.ORIGIN_HOST + ":" + plain.port() + "/"),
                ProxyException.class);
        assertEquals(407, forwarded.statusCode(), forwarded.toString());
        assertNamesProxy(authSquid.proxy(), forwarded);
        assertEquals(0, plain.requestCount(), "nothing reached the origin");
    }

    @Test
    void wrongCredentialsEndInAProxyException407() throws Exception {
        ScriptedServer secure = servers.startTls(ORIGIN_CERTIFICATE.serverContext(), r -> Actions.ok("secure"));
        ProxyUser.RecordingAuthenticator wrong = new ProxyUser(ALICE.name(), "wrong").authenticator();
        KeepwellHttpClient client = client(authSquid.selector(), wrong);
        ProxyException e = Causes.require(failure(client, "https://" + SquidContainer.ORIGIN_HOST + ":" + secure.port() + "/"),
                ProxyException.class);
        assertEquals(407, e.statusCode(), e.toString());
        assertTrue(!wrong.asks().isEmpty(), "the authenticator was asked");
        assertEquals(0, secure.acceptedConnections());
    }

    @Test
    void aDeniedHostIsAProxyException403ForATunnelAndA403ResponseWhenForwarded() throws Exception {
        ScriptedServer origin = servers.start(r -> Actions.ok("never"));
        KeepwellHttpClient client = client(squid.selector(), null);
        ProxyException e = Causes.require(failure(client, "https://" + SquidContainer.DENIED_HOST + ":" + origin.port() + "/"),
                ProxyException.class);
        assertEquals(403, e.statusCode(), e.toString());
        assertNamesProxy(squid.proxy(), e);
        assertTrue(e.getMessage().contains(squid.address().getPort() + ""), "the message names the proxy: " + e.getMessage());

        HttpResponse<String> forwarded = send(client, "http://" + SquidContainer.DENIED_HOST + ":" + origin.port() + "/");
        assertEquals(403, forwarded.statusCode(), "a forwarded request's refusal is squid's response");
        assertEquals(0, origin.requestCount());
    }

    @Test
    void aTunnelToADeadPortIsAProxyExceptionWithSquidsStatus() throws Exception {
        int deadPort = FreePorts.pick();
        KeepwellHttpClient client = client(squid.selector(), null);
        ProxyException e = Causes.require(failure(client, "https://" + SquidContainer.ORIGIN_HOST + ":" + deadPort + "/"),
                ProxyException.class);
        assertEquals(503, e.statusCode(), "squid's ERR_CONNECT_FAIL: " + e);
        assertNamesProxy(squid.proxy(), e);
    }

    @Test
    void aDeadProxyFailsWithAConnectExceptionNamingTheProxy() throws Exception {
        InetSocketAddress dead = new InetSocketAddress(FreePorts.LOOPBACK, FreePorts.pick());
        ScriptedServer origin = servers.start(r -> Actions.ok("never"));
        KeepwellHttpClient client = client(ProxySelector.of(dead), null);
        ExecutionException e = failure(client, "http://" + SquidContainer.ORIGIN_HOST + ":" + origin.port() + "/");
        ConnectException connect = Causes.require(e, ConnectException.class);
        assertTrue(connect.getMessage().contains("127.0.0.1:" + dead.getPort()), "names the proxy: " + connect.getMessage());
        ProxyException proxy = Causes.require(e, ProxyException.class);
        assertEquals(0, proxy.statusCode());
        assertNamesProxy(new Proxy(Proxy.Type.HTTP, dead), proxy);
        assertEquals(List.of(dead), events.addresses(Kind.CONNECT_FAILED), events.all().toString());
    }

    @Test
    void connectionsThroughDifferentProxiesArePooledApart() throws Exception {
        ScriptedServer origin = servers.start(r -> Actions.ok("same origin"));
        SwitchingSelector selector = new SwitchingSelector(squid.proxy());
        KeepwellHttpClient client = client(selector, null);
        String uri = "http://" + SquidContainer.ORIGIN_HOST + ":" + origin.port();

        send(client, uri + "/first-via-a");
        selector.use(secondSquid.proxy());
        send(client, uri + "/via-b");
        selector.use(squid.proxy());
        send(client, uri + "/again-via-a");

        assertEquals(List.of(squid.address(), secondSquid.address()), events.addresses(Kind.CONNECT_END),
                "one connection per proxy, the first reused: " + events.all());
        assertEquals(2, client.poolStats().open());
        squid.awaitAccessLog(e -> e.url().endsWith("/again-via-a"), 1, WAIT);
        assertTrue(squid.accessLog().stream().noneMatch(e -> e.url().endsWith("/via-b")), "squid A never saw B's request");
        List<SquidContainer.LogEntry> viaB = secondSquid.awaitAccessLog(e -> e.url().contains(":" + origin.port() + "/"), 1, WAIT);
        assertEquals(1, viaB.size(), viaB.toString());
        assertTrue(viaB.get(0).url().endsWith("/via-b"));
    }

    /** Gives whichever proxy the test last chose. */
    private static final class SwitchingSelector extends ProxySelector {
        private volatile Proxy current;

        SwitchingSelector(Proxy first) {
            this.current = first;
        }

        void use(Proxy proxy) {
            this.current = proxy;
        }

        @Override
        public List<Proxy> select(URI uri) {
            return List.of(current);
        }

        @Override
        public void connectFailed(URI uri, java.net.SocketAddress address, java.io.IOException failure) {
            // failures are the requests' to report
        }
    }
}
