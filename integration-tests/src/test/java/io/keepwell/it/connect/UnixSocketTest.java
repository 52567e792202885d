package io.keepwell.it.connect;

import io.keepwell.it.support.ClientLeakCheck;
import io.keepwell.it.support.UnixSocketServer;
import io.keepwell.netty.KeepwellHttpClient;
import io.keepwell.netty.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** http over a Unix domain socket, with the same pool discipline as TCP: pooled by path, reused, closed. */
class UnixSocketTest {

    @RegisterExtension
    final ClientLeakCheck clients = new ClientLeakCheck();

    private UnixSocketServer server;

    @BeforeEach
    void start() throws Exception {
        server = new UnixSocketServer();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void everyHttpRequestOfTheClientGoesOverItsSocketOnOneConnection(Transport transport) throws Exception {
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder().transport(transport).unixSocket(server.socket()));
        for (int n = 1; n <= 3; n++) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://docker/v1/ping?n=" + n)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode());
            assertEquals("conn=1 req=" + n + " host=docker target=/v1/ping?n=" + n, response.body(),
                    "the URI's host is the Host header; the name is never resolved");
        }
        assertEquals(1, server.acceptedConnections());
        assertEquals(1, client.poolStats().idle(), "the connection is pooled");
    }

    @Test
    void oneRequestCanNameItsOwnSocket() throws Exception {
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder());
        HttpRequest plain = HttpRequest.newBuilder(URI.create("http://localhost:2375/_ping")).build();
        for (int n = 1; n <= 2; n++) {
            HttpResponse<String> response = client.send(KeepwellHttpClient.unixSocket(plain, server.socket()),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals("conn=1 req=" + n + " host=localhost:2375 target=/_ping", response.body());
        }
        assertEquals(1, server.acceptedConnections(), "pooled by path and reused");
    }

    @Test
    void connectionsToTwoSocketsArePooledApart() throws Exception {
        try (UnixSocketServer other = new UnixSocketServer()) {
            KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder());
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://local/")).build();
            for (int n = 0; n < 2; n++) {
                client.send(KeepwellHttpClient.unixSocket(request, server.socket()), HttpResponse.BodyHandlers.ofString());
                client.send(KeepwellHttpClient.unixSocket(request, other.socket()), HttpResponse.BodyHandlers.ofString());
            }
            assertEquals(1, server.acceptedConnections());
            assertEquals(1, other.acceptedConnections());
            assertEquals(2, client.poolStats().idle());
        }
    }

    @Test
    void aMissingSocketFileFailsAsAConnectFailureNamingIt() throws Exception {
        Path missing = server.socket().resolveSibling("missing.sock");
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder().unixSocket(missing));

        ExecutionException e = assertThrows(ExecutionException.class, () -> client.sendAsync(
                HttpRequest.newBuilder(URI.create("http://local/")).build(), HttpResponse.BodyHandlers.ofString()).get(10, TimeUnit.SECONDS));

        ConnectException connect = assertInstanceOf(ConnectException.class, e.getCause());
        assertTrue(connect.getMessage().contains(missing.toString()), connect.getMessage());
        assertEquals(0, client.poolStats().open());
    }

    @Test
    void aServerThatClosesTakesItsConnectionOutOfThePool() throws Exception {
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder().unixSocket(server.socket()));
        client.send(HttpRequest.newBuilder(URI.create("http://local/")).header("Connection", "close").build(),
                HttpResponse.BodyHandlers.ofString());
        io.keepwell.it.support.Witnesses.awaitCondition(java.time.Duration.ofSeconds(5), () -> client.poolStats().open() == 0,
                () -> "still open: " + client.poolStats());
        HttpResponse<String> next = client.send(HttpRequest.newBuilder(URI.create("http://local/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals("conn=2 req=1 host=local target=/", next.body());
    }
}
