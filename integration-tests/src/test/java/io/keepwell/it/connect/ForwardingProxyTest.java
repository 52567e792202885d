package io.keepwell.it.connect;

import io.keepwell.it.support.Actions;
import io.keepwell.it.support.ClientLeakCheck;
import io.keepwell.it.support.ScriptedServer;
import io.keepwell.it.support.ScriptedServers;
import io.keepwell.netty.KeepwellHttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * http through an HTTP proxy that forwards: requests in absolute form on a connection to the
 * proxy, pooled under the proxy, never mixed with another proxy's or a direct connection. The
 * proxy here is a scripted server that answers as the origin would; squid does the real
 * forwarding in {@code RealServerProxyTest}.
 */
class ForwardingProxyTest {

    @RegisterExtension
    final ScriptedServers servers = new ScriptedServers();

    @RegisterExtension
    final ClientLeakCheck clients = new ClientLeakCheck();

    @Test
    void requestsGoToTheProxyInAbsoluteFormWithTheOriginsHost() throws Exception {
        ScriptedServer proxy = servers.start(r -> Actions.ok("via proxy"));
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder()
                .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", proxy.port()))));
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://origin.test:8080/a/b?q=" + i)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals("via proxy", response.body());
        }
        List<ScriptedServer.Request> seen = proxy.requests();
        assertEquals("http://origin.test:8080/a/b?q=0", seen.get(0).target(), "absolute form; the origin's name is never resolved here");
        assertEquals("origin.test:8080", seen.get(0).header("Host"));
        assertEquals(1, proxy.acceptedConnections(), "the connection to the proxy is pooled and reused");
        assertEquals(1, client.poolStats().idle());
    }

    @Test
    void connectionsThroughDifferentProxiesAndDirectOnesNeverMix() throws Exception {
        ScriptedServer origin = servers.start(r -> Actions.ok("direct"));
        ScriptedServer first = servers.start(r -> Actions.ok("first"));
        ScriptedServer second = servers.start(r -> Actions.ok("second"));
        // One origin, three routes: the selector picks by path.
        ProxySelector byPath = new ProxySelector() {
            @Override
            public List<java.net.Proxy> select(URI uri) {
                int port = uri.getPath().startsWith("/first") ? first.port() : uri.getPath().startsWith("/second") ? second.port() : -1;
                return port < 0 ? List.of(java.net.Proxy.NO_PROXY)
                        : List.of(new java.net.Proxy(java.net.Proxy.Type.HTTP, new InetSocketAddress("127.0.0.1", port)));
            }

            @Override
            public void connectFailed(URI uri, java.net.SocketAddress sa, java.io.IOException ioe) {
            }
        };
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder().proxy(byPath));
        for (int i = 0; i < 2; i++) {
            for (String path : List.of("/first", "/second", "/direct")) {
                HttpResponse<String> response = client.send(HttpRequest.newBuilder(origin.uri(path)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(path.substring(1), response.body());
            }
        }
        assertEquals(1, first.acceptedConnections());
        assertEquals(1, second.acceptedConnections());
        assertEquals(1, origin.acceptedConnections());
        assertEquals(3, client.poolStats().idle(), "three pool keys, one connection each");
        assertEquals("/direct", origin.requests().get(0).target(), "direct requests stay in origin form");
    }

    @Test
    void proxyCredentialsTheCallerSetReachTheForwardingProxyButNeverAnOrigin() throws Exception {
        ScriptedServer proxy = servers.start(r -> Actions.ok("proxied"));
        ScriptedServer origin = servers.start(r -> Actions.ok("direct"));
        KeepwellHttpClient viaProxy = clients.newClient(KeepwellHttpClient.newBuilder()
                .proxy(ProxySelector.of(new InetSocketAddress("127.0.0.1", proxy.port()))));
        KeepwellHttpClient direct = clients.newClient(KeepwellHttpClient.newBuilder());
        HttpRequest.Builder withCredentials = HttpRequest.newBuilder(URI.create("http://origin.test/")).header("Proxy-Authorization", "Basic Zm9vOmJhcg==");

        viaProxy.send(withCredentials.build(), HttpResponse.BodyHandlers.ofString());
        direct.send(withCredentials.uri(origin.uri("/")).build(), HttpResponse.BodyHandlers.ofString());

        assertEquals("Basic Zm9vOmJhcg==", proxy.requests().get(0).header("Proxy-Authorization"));
        assertEquals(null, origin.requests().get(0).header("Proxy-Authorization"), "dropped on a direct connection");
    }

    @Test
    void noProxyGoesDirect() throws Exception {
        ScriptedServer origin = servers.start(r -> Actions.ok("direct"));
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY));
        assertEquals("direct", client.send(HttpRequest.newBuilder(origin.uri("/x")).build(), HttpResponse.BodyHandlers.ofString()).body());
        assertTrue(client.proxy().isPresent(), "proxy() returns the selector given, as the JDK's");
    }

    @Test
    void withoutAProxySettingTheSystemPropertiesAreHonouredAsInTheJdk() throws Exception {
        ScriptedServer proxy = servers.start(r -> Actions.ok("via system proxy"));
        System.setProperty("http.proxyHost", "127.0.0.1");
        System.setProperty("http.proxyPort", String.valueOf(proxy.port()));
        try {
            KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder());
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://origin.test/p")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals("via system proxy", response.body());
            assertEquals("http://origin.test/p", proxy.requests().get(0).target());
            assertTrue(client.proxy().isEmpty(), "none was given");
        } finally {
            System.clearProperty("http.proxyHost");
            System.clearProperty("http.proxyPort");
        }
    }
}
