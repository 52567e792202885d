package io.keepwell.it.connect;

import io.keepwell.http.HttpTimeoutException;
import io.keepwell.http.KeepwellTimeout;
import io.keepwell.http.ProxyException;
import io.keepwell.it.support.Actions;
import io.keepwell.it.support.ClientLeakCheck;
import io.keepwell.it.support.ScriptedServer;
import io.keepwell.it.support.ScriptedServers;
import io.keepwell.it.support.TestCertificates;
import io.keepwell.it.support.TunnelProxy;
import io.keepwell.netty.KeepwellHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.Authenticator;
import java.net.PasswordAuthentication;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * https through an HTTP proxy's {@code CONNECT} tunnel: TLS to the origin inside it (SNI and the
 * certificate checked against the origin's name, never the proxy's), the tunnel pooled and
 * reused, Basic credentials asked of the authenticator once and sent up front after that, and
 * every refusal a typed {@link ProxyException} naming the proxy and its status.
 */
class TunnelProxyTest {

    private static TestCertificates originCertificate;

    @RegisterExtension
    final ScriptedServers servers = new ScriptedServers();

    @RegisterExtension
    final ClientLeakCheck clients = new ClientLeakCheck();

    @RegisterExtension
    final io.keepwell.it.support.h2.H2Servers h2Servers = new io.keepwell.it.support.h2.H2Servers();

    private final List<TunnelProxy> proxies = new ArrayList<>();

    @BeforeAll
    static void certificate() throws Exception {
        originCertificate = TestCertificates.generate("dns:origin.test");
    }

    @AfterEach
    void closeProxies() throws Exception {
        for (TunnelProxy proxy : proxies) {
            proxy.close();
        }
    }

    private TunnelProxy proxyTo(ScriptedServer origin) throws Exception {
        TunnelProxy proxy = new TunnelProxy(Map.of("origin.test", origin.port()));
        proxies.add(proxy);
        return proxy;
    }

    private ScriptedServer origin() throws Exception {
        return servers.startTls(originCertificate.serverContext(), r -> Actions.ok("secret " + r.target()));
    }

    private KeepwellHttpClient.Builder through(TunnelProxy proxy) throws Exception {
        return KeepwellHttpClient.newBuilder().sslContext(originCertificate.clientContext())
                .proxy(ProxySelector.of(proxy.address()));
    }

    private static HttpRequest request(ScriptedServer origin, String path) {
        return HttpRequest.newBuilder(URI.create("https://origin.test:" + origin.port() + path)).build();
    }

    @Test
    void httpsGoesThroughOneTunnelThatIsReused() throws Exception {
        ScriptedServer origin = origin();
        TunnelProxy proxy = proxyTo(origin);
        KeepwellHttpClient client = clients.newClient(through(proxy));
        for (int i = 0; i < 3; i++) {
            assertEquals("secret /" + i, client.send(request(origin, "/" + i), HttpResponse.BodyHandlers.ofString()).body());
        }
        assertEquals(List.of("CONNECT origin.test:" + origin.port() + " HTTP/1.1 -"), proxy.connects());
        assertEquals(1, proxy.acceptedConnections());
        assertEquals(1, origin.acceptedConnections());
        assertEquals(List.of("origin.test"), origin.serverNames(), "SNI names the origin, inside the tunnel");
        client.send(HttpRequest.newBuilder(request(origin, "/creds").uri()).header("Proxy-Authorization", "Basic eDp5").build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(null, origin.requests().get(3).header("Proxy-Authorization"), "proxy credentials never go inside a tunnel");
    }

    @Test
    void http2IsNegotiatedWithTheOriginInsideTheTunnelAndCarriesConcurrentStreams() throws Exception {
        io.keepwell.it.support.h2.H2Server origin = h2Servers.start(io.keepwell.it.support.h2.H2ServerConfig
                .builder(io.keepwell.it.support.h2.H2Mode.TLS_H2_OR_HTTP1).tls(originCertificate.serverContext()).build());
        TunnelProxy proxy = new TunnelProxy(Map.of("origin.test", origin.port()));
        proxies.add(proxy);
        KeepwellHttpClient client = clients.newClient(through(proxy));
        HttpRequest request = HttpRequest.newBuilder(URI.create("https://origin.test:" + origin.port() + "/")).build();
        List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            calls.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
        }
        for (java.util.concurrent.CompletableFuture<HttpResponse<String>> call : calls) {
            assertEquals(java.net.http.HttpClient.Version.HTTP_2, call.get(10, TimeUnit.SECONDS).version());
        }
        assertEquals(1, proxy.acceptedConnections(), "one tunnel carries every stream");
    }

    @Test
    void aTunnelThatClosesWhileIdleLeavesThePoolAndTheNextRequestOpensAnother() throws Exception {
        ScriptedServer origin = origin();
        TunnelProxy proxy = proxyTo(origin);
        KeepwellHttpClient client = clients.newClient(through(proxy));
        client.send(request(origin, "/1"), HttpResponse.BodyHandlers.ofString());
        assertEquals(1, client.poolStats().idle());

        proxy.dropConnections();

        io.keepwell.it.support.Witnesses.awaitCondition(Duration.ofSeconds(5), () -> client.poolStats().open() == 0,
                () -> "the closed tunnel is still pooled: " + client.poolStats());
        assertEquals(1L, client.poolStats().closedByReason().get(io.keepwell.pool.CloseReason.PEER_CLOSED));
        assertEquals("secret /2", client.send(request(origin, "/2"), HttpResponse.BodyHandlers.ofString()).body());
        assertEquals(2, proxy.acceptedConnections());
    }

    @Test
    void theOriginsCertificateIsCheckedAgainstTheOriginsName() throws Exception {
        TestCertificates wrongName = TestCertificates.generate("dns:elsewhere.test");
        ScriptedServer origin = servers.startTls(wrongName.serverContext(), r -> Actions.ok("never"));
        TunnelProxy proxy = proxyTo(origin);
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder().sslContext(wrongName.clientContext())
                .proxy(ProxySelector.of(proxy.address())));

        ExecutionException e = assertThrows(ExecutionException.class,
                () -> client.sendAsync(request(origin, "/"), HttpResponse.BodyHandlers.ofString()).get(10, TimeUnit.SECONDS));

        assertInstanceOf(javax.net.ssl.SSLHandshakeException.class, e.getCause(), e.getCause().toString());
    }

    @Test
    void a407IsAnsweredWithTheAuthenticatorsCredentialsAndLaterTunnelsSendThemAtOnce() throws Exception {
        ScriptedServer origin = origin();
        TunnelProxy proxy = proxyTo(origin).requireCredentials("alice", "s3cret");
        List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
        Authenticator authenticator = new Authenticator() {
            @Override
            protected PasswordAuthentication getPasswordAuthentication() {
                asked.add(getRequestorType() + " " + getRequestingHost() + ":" + getRequestingPort() + " " + getRequestingPrompt());
                return new PasswordAuthentication("alice", "s3cret".toCharArray());
            }
        };
        KeepwellHttpClient client = clients.newClient(through(proxy).authenticator(authenticator));

        assertEquals("secret /a", client.send(request(origin, "/a"), HttpResponse.BodyHandlers.ofString()).body());
        client.closeIdleConnections();
        io.keepwell.it.support.Witnesses.awaitCondition(Duration.ofSeconds(5), () -> client.poolStats().open() == 0,
                () -> "the idle tunnel is still open");
        assertEquals("secret /b", client.send(request(origin, "/b"), HttpResponse.BodyHandlers.ofString()).body());

        String basic = "Basic " + java.util.Base64.getEncoder().encodeToString("alice:s3cret".getBytes());
        String connect = "CONNECT origin.test:" + origin.port() + " HTTP/1.1 ";
        assertEquals(List.of(connect + "-", connect + basic, connect + basic), proxy.connects(),
                "one challenge, then the credentials that worked are sent up front");
        assertEquals(List.of("PROXY 127.0.0.1:" + proxy.port() + " tunnel"), asked, "asked once, for the proxy, with its realm");
    }

    @Test
    void a407WithoutCredentialsFailsTyped() throws Exception {
        ScriptedServer origin = origin();
        TunnelProxy proxy = proxyTo(origin).requireCredentials("alice", "s3cret");
        KeepwellHttpClient client = clients.newClient(through(proxy));

        ProxyException refused = ProxyFailures.of(client, request(origin, "/"));

        assertEquals(407, refused.statusCode());
        assertTrue(refused.getMessage().contains("127.0.0.1:" + proxy.port()), refused.getMessage());
        assertEquals(0, origin.acceptedConnections());
    }

    @Test
    void credentialsTheProxyRefusesFailTypedAfterOneAnswer() throws Exception {
        ScriptedServer origin = origin();
        TunnelProxy proxy = proxyTo(origin).requireCredentials("alice", "s3cret");
        KeepwellHttpClient client = clients.newClient(through(proxy).authenticator(new Authenticator() {
            @Override
            protected PasswordAuthentication getPasswordAuthentication() {
                return new PasswordAuthentication("alice", "wrong".toCharArray());
            }
        }));

        ProxyException refused = ProxyFailures.of(client, request(origin, "/"));

        assertEquals(407, refused.statusCode());
        assertEquals(2, proxy.connects().size(), "one challenge, one answer, no loop");
    }

    @ParameterizedTest
    @CsvSource({"FORBIDDEN, 403", "BAD_GATEWAY, 502", "CLOSE, 0"})
    void aRefusedTunnelFailsTypedWithTheProxysStatus(TunnelProxy.Mode mode, int status) throws Exception {
        ScriptedServer origin = origin();
        TunnelProxy proxy = proxyTo(origin).mode(mode);
        KeepwellHttpClient client = clients.newClient(through(proxy));

        ProxyException refused = ProxyFailures.of(client, request(origin, "/"));

        assertEquals(status, refused.statusCode(), refused.getMessage());
        assertEquals(java.net.Proxy.Type.HTTP, refused.proxy().type());
        assertEquals(0, client.poolStats().open());
    }

    @Test
    void aProxyThatNeverAnswersTheConnectEndsAtTheConnectTimeout() throws Exception {
        ScriptedServer origin = origin();
        TunnelProxy proxy = proxyTo(origin).mode(TunnelProxy.Mode.SILENT);
        KeepwellHttpClient client = clients.newClient(through(proxy).connectTimeout(Duration.ofMillis(600)));

        ExecutionException e = assertThrows(ExecutionException.class,
                () -> client.sendAsync(request(origin, "/"), HttpResponse.BodyHandlers.ofString()).get(10, TimeUnit.SECONDS));

        assertInstanceOf(java.net.http.HttpConnectTimeoutException.class, e.getCause());
        assertEquals(HttpTimeoutException.Phase.CONNECT, ((KeepwellTimeout) e.getCause()).phase());
        io.keepwell.it.support.Witnesses.awaitCondition(Duration.ofSeconds(5), () -> proxy.openConnections() == 0,
                () -> "the tunnel attempt is still open at the proxy");
    }

    @Test
    void aProxyNothingListensOnFailsTypedNamingIt() throws Exception {
        int dead;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
            dead = probe.getLocalPort();
        }
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder()
                .proxy(ProxySelector.of(new java.net.InetSocketAddress("127.0.0.1", dead))));

        ProxyException refused = ProxyFailures.of(client, HttpRequest.newBuilder(URI.create("https://origin.test/")).build());

        assertEquals(0, refused.statusCode());
        assertTrue(refused.getMessage().contains("127.0.0.1:" + dead) && refused.getMessage().contains("cannot reach"), refused.getMessage());
    }
}
