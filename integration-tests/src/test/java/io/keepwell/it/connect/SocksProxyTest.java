package io.keepwell.it.connect;

import io.keepwell.http.ProxyException;
import io.keepwell.it.support.Actions;
import io.keepwell.it.support.ClientLeakCheck;
import io.keepwell.it.support.ScriptedServer;
import io.keepwell.it.support.ScriptedServers;
import io.keepwell.it.support.TestCertificates;
import io.keepwell.it.support.TestSocksProxy;
import io.keepwell.netty.KeepwellHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.Authenticator;
import java.net.InetSocketAddress;
import java.net.PasswordAuthentication;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** http and https through a SOCKS5 proxy: the origin's name sent to the proxy, tunnels reused, credentials from the authenticator, failures typed. */
class SocksProxyTest {

    @RegisterExtension
    final ScriptedServers servers = new ScriptedServers();

    @RegisterExtension
    final ClientLeakCheck clients = new ClientLeakCheck();

    private final List<TestSocksProxy> proxies = new ArrayList<>();

    @AfterEach
    void close() throws IOException {
        for (TestSocksProxy proxy : proxies) {
            proxy.close();
        }
    }

    private TestSocksProxy socksTo(ScriptedServer origin) throws IOException {
        TestSocksProxy proxy = new TestSocksProxy(Map.of("origin.test", origin.port()));
        proxies.add(proxy);
        return proxy;
    }

    static ProxySelector socks(InetSocketAddress address) {
        return new ProxySelector() {
            @Override
            public List<Proxy> select(URI uri) {
                return List.of(new Proxy(Proxy.Type.SOCKS, address));
            }

            @Override
            public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {
            }
        };
    }

    @Test
    void httpGoesThroughOneReusedSocksConnectionByTheOriginsName() throws Exception {
        ScriptedServer origin = servers.start(r -> Actions.ok("hello " + r.target()));
        TestSocksProxy proxy = socksTo(origin);
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder().proxy(socks(proxy.address())));
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://origin.test:" + origin.port() + "/" + i)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals("hello /" + i, response.body(), "origin form: SOCKS carries bytes, not requests");
        }
        assertEquals(List.of("origin.test:" + origin.port() + " -"), proxy.connects(), "the proxy resolves the origin's name");
        assertEquals(1, proxy.acceptedConnections());
    }

    @Test
    void httpsGoesThroughSocksWithTlsToTheOrigin() throws Exception {
        TestCertificates certificate = TestCertificates.generate("dns:origin.test");
        ScriptedServer origin = servers.startTls(certificate.serverContext(), r -> Actions.ok("secure"));
        TestSocksProxy proxy = socksTo(origin);
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder().sslContext(certificate.clientContext())
                .proxy(socks(proxy.address())));

        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("https://origin.test:" + origin.port() + "/")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertEquals("secure", response.body());
        assertEquals(List.of("origin.test"), origin.serverNames());
    }

    @Test
    void theAuthenticatorsCredentialsAreOfferedToTheProxy() throws Exception {
        ScriptedServer origin = servers.start(r -> Actions.ok("authenticated"));
        TestSocksProxy proxy = socksTo(origin).requireCredentials("bob", "pw");
        List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder().proxy(socks(proxy.address()))
                .authenticator(new Authenticator() {
                    @Override
                    protected PasswordAuthentication getPasswordAuthentication() {
                        asked.add(getRequestorType() + " " + getRequestingProtocol());
                        return new PasswordAuthentication("bob", "pw".toCharArray());
                    }
                }));

        assertEquals("authenticated", client.send(HttpRequest.newBuilder(URI.create("http://origin.test:" + origin.port() + "/")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        assertEquals(List.of("origin.test:" + origin.port() + " bob"), proxy.connects());
        assertEquals(List.of("PROXY SOCKS5"), asked);
    }

    @Test
    void aProxyThatWantsCredentialsNobodyHasFailsTyped() throws Exception {
        ScriptedServer origin = servers.start(r -> Actions.ok("never"));
        TestSocksProxy proxy = socksTo(origin).requireCredentials("bob", "pw");
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder().proxy(socks(proxy.address())));

        ProxyException refused = ProxyFailures.of(client, HttpRequest.newBuilder(URI.create("http://origin.test:" + origin.port() + "/")).build());

        assertEquals(0, refused.statusCode());
        assertEquals(Proxy.Type.SOCKS, refused.proxy().type());
        assertTrue(refused.getMessage().contains("SOCKS5"), refused.getMessage());
        assertEquals(0, origin.acceptedConnections());
    }

    @Test
    void aTargetTheProxyRefusesFailsTyped() throws Exception {
        ScriptedServer origin = servers.start(r -> Actions.ok("never"));
        TestSocksProxy proxy = socksTo(origin);
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder().proxy(socks(proxy.address())));

        ProxyException refused = ProxyFailures.of(client, HttpRequest.newBuilder(URI.create("http://elsewhere.test/")).build());

        assertTrue(refused.getMessage().contains("elsewhere.test"), refused.getMessage());
    }

    @Test
    void aDeadSocksServerFailsTypedNamingIt() throws Exception {
        int dead;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
            dead = probe.getLocalPort();
        }
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder()
                .proxy(socks(new InetSocketAddress("127.0.0.1", dead))));

        ProxyException refused = ProxyFailures.of(client, HttpRequest.newBuilder(URI.create("http://origin.test/")).build());

        assertTrue(refused.getMessage().contains("SOCKS 127.0.0.1:" + dead), refused.getMessage());
    }
}
