package io.keepwell.it.realserver;

import static io.keepwell.it.realserver.RouteCalls.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keepwell.it.support.ClientLeakCheck;
import io.keepwell.it.support.EngineApiSocket;
import io.keepwell.it.support.NginxContainer;
import io.keepwell.it.support.NoClientDns;
import io.keepwell.it.support.RequiresDocker;
import io.keepwell.netty.KeepwellHttpClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * http over Unix domain sockets: nginx listening on a socket file in a temporary directory, and
 * the container engine's own API socket. Requests on one socket reuse one connection (nginx's
 * per-connection request counter proves it from the server's side), and a socket route resolves
 * no name (the client's only name server is a silent one that must hear nothing, {@link NoClientDns}).
 */
@RequiresDocker
@Testcontainers
class RealServerUnixSocketTest {

    @RegisterExtension
    static final NoClientDns noDns = new NoClientDns("over a Unix socket");

    @Container
    static final NginxContainer nginx = new NginxContainer().withUnixSocket(socketDirectory());

    @RegisterExtension
    final ClientLeakCheck clients = new ClientLeakCheck();

    @AfterAll
    static void cleanUp() throws Exception {
        Files.deleteIfExists(nginx.unixSocket());
        Files.deleteIfExists(nginx.unixSocket().getParent());
    }

    private static Path socketDirectory() {
        try {
            Path dir = Files.createTempDirectory("keepwell-nginx-sock");
            assertTrue(dir.toFile().setWritable(true, false), "the container's nginx writes the socket here");
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private KeepwellHttpClient.Builder builder() {
        return KeepwellHttpClient.newBuilder().eventLoopThreads(1).resolver(List.of(noDns.nameServer()));
    }

    @Test
    void theClientsSocketCarriesEveryRequestOnOneConnection() throws Exception {
        KeepwellHttpClient client = clients.newClient(builder().unixSocket(nginx.unixSocket()));
        List<HttpResponse<String>> responses = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            responses.add(send(client, HttpRequest.newBuilder(URI.create("http://localhost" + NginxContainer.CONNECTION)).build()));
        }
        assertEquals(List.of("1", "2", "3"), requestNumbers(responses), "nginx counted three requests on one connection");
        assertEquals(1, responses.stream().map(r -> r.headers().firstValue(NginxContainer.CONNECTION_HEADER).orElseThrow()).distinct().count());
        assertEquals("connection\n", responses.get(0).body());
        assertEquals(1, client.poolStats().opened(), client.poolStats().toString());
        assertEquals(1, client.poolStats().open());
    }

    @Test
    void aRequestNamesItsOwnSocketAndIsPooledApartFromTcp() throws Exception {
        KeepwellHttpClient client = clients.newClient(builder());
        URI tcp = nginx.uri(NginxContainer.CONNECTION);
        HttpRequest overSocket = KeepwellHttpClient.unixSocket(HttpRequest.newBuilder(tcp).build(), nginx.unixSocket());

        List<HttpResponse<String>> viaSocket = List.of(send(client, overSocket), send(client, overSocket));
        HttpResponse<String> viaTcp = send(client, HttpRequest.newBuilder(tcp).build());

        assertEquals(List.of("1", "2"), requestNumbers(viaSocket));
        assertEquals(List.of("1"), requestNumbers(List.of(viaTcp)), "the TCP request did not ride the socket's connection");
        assertNotEquals(viaSocket.get(0).headers().firstValue(NginxContainer.CONNECTION_HEADER),
                viaTcp.headers().firstValue(NginxContainer.CONNECTION_HEADER));
        assertEquals(2, client.poolStats().open(), "one connection per route: " + client.poolStats());
    }

    @Test
    void theEngineApiSocketAnswersPingAndVersionOverOneConnection() throws Exception {
        KeepwellHttpClient client = clients.newClient(builder().unixSocket(EngineApiSocket.path()));
        HttpResponse<String> ping = send(client, HttpRequest.newBuilder(URI.create("http://docker/_ping")).build());
        assertEquals(200, ping.statusCode());
        assertEquals("OK", ping.body());
        HttpResponse<String> version = send(client, HttpRequest.newBuilder(URI.create("http://docker/version")).build());
        assertEquals(200, version.statusCode());
        assertTrue(version.body().contains("\"ApiVersion\""), version.body());
        assertEquals(1, client.poolStats().opened(), "both over one connection: " + client.poolStats());
        assertEquals(1, client.poolStats().reused(), client.poolStats().toString());
    }

    private static HttpResponse<String> send(KeepwellHttpClient client, HttpRequest request) throws Exception {
        return client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    private static List<String> requestNumbers(List<HttpResponse<String>> responses) {
        return responses.stream().map(r -> r.headers().firstValue(NginxContainer.CONNECTION_REQUESTS_HEADER).orElse("none")).toList();
    }
}
