package io.keepwell.it.h2;

import io.keepwell.it.support.ClientLeakCheck;
import io.keepwell.it.support.h2.H2Mode;
import io.keepwell.it.support.h2.H2Server;
import io.keepwell.it.support.h2.H2ServerConfig;
import io.keepwell.it.support.h2.H2Servers;
import io.keepwell.netty.KeepwellHttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.util.List;

import static io.keepwell.it.h2.H2Clients.await;
import static io.keepwell.it.h2.H2Clients.get;
import static io.keepwell.it.h2.H2Clients.tlsServer;
import static io.keepwell.it.h2.H2Clients.trustingClient;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which protocol a connection speaks: ALPN's choice over TLS, prior knowledge on plain TCP. */
class H2NegotiationTest {

    @RegisterExtension
    final H2Servers servers = new H2Servers();

    @RegisterExtension
    final ClientLeakCheck leaks = new ClientLeakCheck();

    @Test
    void alpnChoosingHttp11GivesHttp11AndTheConnectionIsReused() throws Exception {
        H2Server server = servers.start(tlsServer(H2Mode.TLS_HTTP1_ONLY).script(H2Clients::servedOn).build());
        KeepwellHttpClient client = leaks.newClient(trustingClient());
        for (int i = 0; i < 2; i++) {
            HttpResponse<String> response = await(client.sendAsync(get(server, "/h1/" + i), HttpResponse.BodyHandlers.ofString()));
            assertEquals(HttpClient.Version.HTTP_1_1, response.version());
            assertEquals("connection 1", response.body());
        }
        assertEquals(List.of("http/1.1"), server.applicationProtocols());
        assertEquals(1, server.acceptedConnections());
        assertTrue(client.poolStats().reused() >= 1, client.poolStats().toString());
    }

    @Test
    void alpnChoosingH2GivesHttp2() throws Exception {
        H2Server server = servers.start(tlsServer().script(H2Clients::servedOn).build());
        KeepwellHttpClient client = leaks.newClient(trustingClient());
        HttpResponse<String> response = await(client.sendAsync(get(server, "/h2"), HttpResponse.BodyHandlers.ofString()));
        assertEquals(HttpClient.Version.HTTP_2, response.version());
        assertEquals(List.of("h2"), server.applicationProtocols());
    }

    @Test
    void h2cWithPriorKnowledgeSpeaksHttp2OnPlainHttp() throws Exception {
        H2Server server = servers.start(H2ServerConfig.builder(H2Mode.H2C_PRIOR_KNOWLEDGE).script(H2Clients::servedOn).build());
        KeepwellHttpClient client = leaks.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1).h2cPriorKnowledge(true));
        for (int i = 0; i < 2; i++) {
            HttpResponse<String> response = await(client.sendAsync(get(server, "/h2c/" + i), HttpResponse.BodyHandlers.ofString()));
            assertEquals(HttpClient.Version.HTTP_2, response.version());
            assertEquals("connection 1", response.body());
        }
        assertEquals(2, server.streamsOpened());
        assertEquals(1, server.acceptedConnections());
    }
}
