package io.keepwell.it.basic;

import io.keepwell.http.HttpProtocolException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import io.keepwell.it.support.Actions;
import io.keepwell.it.support.ClientLeakCheck;
import io.keepwell.it.support.ScriptedServer;
import io.keepwell.it.support.ScriptedServers;
import io.keepwell.it.support.Witnesses;
import io.keepwell.netty.KeepwellHttpClient;
import io.keepwell.pool.CloseReason;
import io.keepwell.pool.RefuseReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One request at a time against a scripted server: framing, reuse, and the errors of 0.1. */
class ExchangeTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    final ScriptedServers servers = new ScriptedServers();

    @RegisterExtension
    final ClientLeakCheck clients = new ClientLeakCheck();

    private ScriptedServer server;


    private static <T> HttpResponse<T> await(CompletableFuture<HttpResponse<T>> f) throws Exception {
        return f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    private static Throwable failureOf(CompletableFuture<?> f) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        return e.getCause();
    }

    private HttpResponse<String> get(KeepwellHttpClient client, String path) throws Exception {
        return await(client.sendAsync(HttpRequest.newBuilder(server.uri(path)).build(), HttpResponse.BodyHandlers.ofString()));
    }

    @Test
    void sequentialRequestsReuseOneConnection() throws Exception {
        server = servers.start(r -> Actions.ok("hello " + r.target()));
        KeepwellHttpClient client = clients.newClient();
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> response = get(client, "/r" + i);
            assertEquals(200, response.statusCode());
            assertEquals("hello /r" + i, response.body());
            assertEquals(java.net.http.HttpClient.Version.HTTP_1_1, response.version());
        }
        assertEquals(1, server.acceptedConnections());
        assertEquals(1, client.poolStats().opened());
        assertEquals(4, client.poolStats().reused());
        assertEquals("127.0.0.1:" + server.port(), server.requests().get(0).header("host"));
    }

    @Test
    void chunkedResponseIsDecodedAndTheConnectionKept() throws Exception {
        server = servers.start(r -> Actions.raw("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n"));
        KeepwellHttpClient client = clients.newClient();
        assertEquals("hello, world", get(client, "/a").body());
        assertEquals("hello, world", get(client, "/b").body());
        assertEquals(1, server.acceptedConnections());
    }

    @Test
    void bodyReadUntilCloseIsCompleteAndTheConnectionNotReused() throws Exception {
        server = servers.start(r -> Actions.rawThenClose("HTTP/1.1 200 OK\r\n\r\nuntil the end"));
        KeepwellHttpClient client = clients.newClient();
        assertEquals("until the end", get(client, "/a").body());
        assertEquals("until the end", get(client, "/b").body());
        assertEquals(2, server.acceptedConnections());
        assertEquals(2, client.poolStats().refused(RefuseReason.NOT_REUSABLE));
    }

    @Test
    void postSendsItsBodyWithContentLength() throws Exception {
        server = servers.start(r -> Actions.ok(new String(r.body(), StandardCharsets.UTF_8).toUpperCase()));
        KeepwellHttpClient client = clients.newClient();
        HttpResponse<String> response = await(client.sendAsync(HttpRequest.newBuilder(server.uri("/echo"))
                .POST(HttpRequest.BodyPublishers.ofString("ping")).header("X-Trace", "t1").build(), HttpResponse.BodyHandlers.ofString()));
        assertEquals("PING", response.body());
        ScriptedServer.Request seen = server.requests().get(0);
        assertEquals("POST", seen.method());
        assertEquals("4", seen.header("content-length"));
        assertEquals("t1", seen.header("x-trace"));
    }

    @Test
    void bytesComeBackExactly() throws Exception {
        server = servers.start(r -> Actions.raw("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n\u0000\u00ff\u0010\u007f"));
        KeepwellHttpClient client = clients.newClient();
        byte[] body = await(client.sendAsync(HttpRequest.newBuilder(server.uri("/bin")).build(), HttpResponse.BodyHandlers.ofByteArray())).body();
        assertArrayEquals(new byte[]{0, (byte) 0xff, 0x10, 0x7f}, body);
    }

    @Test
    void connectionCloseFromTheServerMakesTheConnectionNotReusable() throws Exception {
        server = servers.start(r -> Actions.respond(200, "x", "Connection: close\r\n"));
        KeepwellHttpClient client = clients.newClient();
        get(client, "/a");
        get(client, "/b");
        assertEquals(2, server.acceptedConnections());
    }

    @Test
    void connectionCloseFromTheCallerMakesTheConnectionNotReusable() throws Exception {
        server = servers.start(r -> Actions.ok("x"));
        KeepwellHttpClient client = clients.newClient();
        for (int i = 0; i < 2; i++) {
            await(client.sendAsync(HttpRequest.newBuilder(server.uri("/c")).header("Connection", "close").build(),
                    io.keepwell.http.KeepwellBodyHandlers.discarding()));
        }
        assertEquals(2, server.acceptedConnections());
        assertEquals("close", server.requests().get(0).header("connection"));
    }

    @Test
    void http10ResponseIsReusedOnlyWithKeepAlive() throws Exception {
        server = servers.start(r -> r.target().equals("/ka")
                ? Actions.raw("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok")
                : Actions.raw("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"));
        KeepwellHttpClient client = clients.newClient();
        get(client, "/ka");
        get(client, "/ka");
        assertEquals(1, server.acceptedConnections());
        HttpResponse<String> plain = get(client, "/plain");
        assertEquals(java.net.http.HttpClient.Version.HTTP_1_1, plain.version(), "as the JDK client, HTTP/1.0 is reported as HTTP/1.1");
        get(client, "/plain");
        assertEquals(2, server.acceptedConnections(), "the HTTP/1.0 response without keep-alive must close the reused connection");
    }

    @Test
    void headResponseHasNoBodyAndKeepsTheConnection() throws Exception {
        server = servers.start(r -> Actions.raw("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"));
        KeepwellHttpClient client = clients.newClient();
        for (int i = 0; i < 2; i++) {
            HttpResponse<String> head = await(client.sendAsync(HttpRequest.newBuilder(server.uri("/h")).method("HEAD", java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString()));
            assertEquals("", head.body());
            assertEquals("1000", head.headers().firstValue("content-length").orElseThrow());
        }
        assertEquals(1, server.acceptedConnections());
    }

    @Test
    void informationalResponsesAreSkipped() throws Exception {
        server = servers.start(r -> Actions.raw("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfinal"));
        KeepwellHttpClient client = clients.newClient();
        HttpResponse<String> response = get(client, "/x");
        assertEquals(200, response.statusCode());
        assertEquals("final", response.body());
    }

    @Test
    void malformedResponseFailsTypedClosesTheConnectionAndTheNextRequestSucceeds() throws Exception {
        server = servers.start(r -> r.target().equals("/bad")
                ? Actions.raw("HTTP/1.1 2xx Nonsense\r\nContent-Length: 0\r\n\r\n")
                : Actions.ok("fine"));
        KeepwellHttpClient client = clients.newClient();
        assertEquals("fine", get(client, "/good").body());
        CompletableFuture<HttpResponse<String>> bad = client.sendAsync(HttpRequest.newBuilder(server.uri("/bad")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertInstanceOf(HttpProtocolException.class, failureOf(bad));
        Witnesses.awaitCondition(WAIT, () -> client.poolStats().closedBy(CloseReason.PROTOCOL_ERROR) == 1, () -> client.poolStats().toString());
        Witnesses.awaitCondition(WAIT, () -> server.openConnections() == 0, () -> "server still sees the bad connection open");
        assertEquals("fine", get(client, "/good").body());
        assertEquals(2, server.acceptedConnections());
    }

    @Test
    void connectionRefusedFailsWithConnectException() throws Exception {
        int closedPort;
        try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = probe.getLocalPort();
        }
        KeepwellHttpClient client = clients.newClient();
        CompletableFuture<HttpResponse<String>> f = client.sendAsync(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + closedPort + "/")).build(), HttpResponse.BodyHandlers.ofString());
        assertInstanceOf(ConnectException.class, failureOf(f));
        assertEquals(0, client.poolStats().opened());
    }

    @Test
    void sendAfterCloseFailsAsClosed() throws Exception {
        server = servers.start(r -> Actions.ok("x"));
        KeepwellHttpClient client = clients.newClient();
        client.close();
        CompletableFuture<HttpResponse<String>> f = client.sendAsync(HttpRequest.newBuilder(server.uri("/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertInstanceOf(io.keepwell.http.ClientClosedException.class, failureOf(f), "an IOException, as Java 21's client after shutdown");
        assertEquals(0, server.acceptedConnections());
    }

    @Test
    void badUrisAreRefusedBeforeAnyIo() {
        assertThrows(IllegalArgumentException.class, () -> HttpRequest.newBuilder(URI.create("ftp://127.0.0.1/x")));
        assertThrows(IllegalArgumentException.class, () -> HttpRequest.newBuilder(URI.create("http:///nohost")));
        assertThrows(IllegalArgumentException.class, () -> HttpRequest.newBuilder(URI.create("/relative")));
    }

    @Test
    void idleConnectionClosedByTheServerLeavesThePoolAtOnce() throws Exception {
        server = servers.start(r -> Actions.rawThenCloseAfter(
                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", Duration.ofMillis(100)));
        KeepwellHttpClient client = clients.newClient();
        get(client, "/a");
        Witnesses.awaitCondition(WAIT, () -> client.poolStats().open() == 0, () -> client.poolStats().toString());
        assertEquals(1, client.poolStats().closedBy(CloseReason.PEER_CLOSED));
        assertEquals(0, client.openChannels());
    }

    @Test
    void unsolicitedBytesOnAnIdleConnectionCloseIt() throws Exception {
        server = servers.start(r -> Actions.rawThenLater("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
                Duration.ofMillis(100), "HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\n\r\n"));
        KeepwellHttpClient client = clients.newClient();
        get(client, "/a");
        Witnesses.awaitCondition(WAIT, () -> client.poolStats().closedBy(CloseReason.UNSOLICITED_DATA) == 1,
                () -> client.poolStats().toString());
        Witnesses.awaitCondition(WAIT, () -> server.openConnections() == 0, () -> "server still sees the connection");
        assertTrue(client.poolStats().open() == 0);
    }
}
