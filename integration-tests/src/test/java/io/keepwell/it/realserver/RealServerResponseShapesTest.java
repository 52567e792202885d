package io.keepwell.it.realserver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import io.keepwell.http.PrematureCloseException;
import io.keepwell.it.support.ClientLeakCheck;
import io.keepwell.it.support.NginxContainer;
import io.keepwell.it.support.RequiresDocker;
import io.keepwell.netty.KeepwellHttpClient;
import io.keepwell.pool.PoolStats;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * What nginx really sends, read by the client: a close without a reply ({@code return 444}),
 * chunked, large, close-delimited and HTTP/1.0-proxied bodies; after each, the client goes on.
 */
@RequiresDocker
@Testcontainers
class RealServerResponseShapesTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @Container
    static final NginxContainer nginx = new NginxContainer();

    @RegisterExtension
    final ClientLeakCheck clients = new ClientLeakCheck();

    private KeepwellHttpClient client() {
        return clients.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1));
    }

    private static <T> HttpResponse<T> get(KeepwellHttpClient client, String path, HttpResponse.BodyHandler<T> handler)
            throws Exception {
        return client.sendAsync(HttpRequest.newBuilder(nginx.uri(path)).GET().build(), handler).get(10, TimeUnit.SECONDS);
    }

    private static void assertHelloWorks(KeepwellHttpClient client) throws Exception {
        HttpResponse<String> r = get(client, NginxContainer.HELLO, HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertEquals(NginxContainer.HELLO_BODY, r.body());
    }

    @Test
    void closeWithoutReplyOnANewConnectionFailsTypedAndTheNextRequestSucceeds() throws Exception {
        KeepwellHttpClient client = client();
        String path = NginxContainer.CLOSE + "?fresh";
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> get(client, path, HttpResponse.BodyHandlers.ofString()));
        PrematureCloseException premature = assertInstanceOf(PrematureCloseException.class, e.getCause());
        assertEquals(PrematureCloseException.Phase.BEFORE_RESPONSE, premature.phase());
        assertFalse(premature.reused());
        assertEquals(0, client.poolStats().retried(), "no retry on a new connection: " + client.poolStats());
        nginx.awaitAccessLog(l -> l.uri().equals(path) && l.status() == 444, 1, WAIT);
        assertHelloWorks(client);
    }

    @Test
    void closeWithoutReplyOnAReusedConnectionIsRetriedOnceThenFailsTyped() throws Exception {
        KeepwellHttpClient client = client();
        assertHelloWorks(client);
        String path = NginxContainer.CLOSE + "?reused";
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> get(client, path, HttpResponse.BodyHandlers.ofString()));
        PrematureCloseException premature = assertInstanceOf(PrematureCloseException.class, e.getCause());
        assertEquals(PrematureCloseException.Phase.BEFORE_RESPONSE, premature.phase());
        assertFalse(premature.reused(), "the retry ran on a new connection");
        PoolStats stats = client.poolStats();
        assertEquals(1, stats.retried(), "one retry of the GET: " + stats);
        // Both attempts reached nginx, on two different connections.
        var entries = nginx.awaitAccessLog(l -> l.uri().equals(path) && l.status() == 444, 2, WAIT);
        assertEquals(2, entries.size(), "attempts logged: " + entries);
        assertEquals(2, entries.stream().map(l -> l.connection()).distinct().count(), "two connections: " + entries);
        assertHelloWorks(client);
    }

    @Test
    void chunkedBodyIsReadWholeAndTheConnectionReused() throws Exception {
        KeepwellHttpClient client = client();
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = get(client, NginxContainer.CHUNKED, HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertEquals(NginxContainer.CHUNKED_BODY, r.body());
        }
        assertHelloWorks(client);
        assertEquals(1, client.poolStats().opened(), "one connection for all: " + client.poolStats());
    }

    @Test
    void largeBodyIsReadWholeAndTheConnectionReused() throws Exception {
        KeepwellHttpClient client = client();
        byte[] expected = nginx.expectedLargeBody();
        for (int i = 0; i < 3; i++) {
            HttpResponse<byte[]> r = get(client, NginxContainer.LARGE, HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, r.statusCode());
            assertEquals(expected.length, r.body().length);
            assertArrayEquals(expected, r.body());
        }
        assertHelloWorks(client);
        assertEquals(1, client.poolStats().opened(), "one connection for all: " + client.poolStats());
    }

    @Test
    void untilCloseBodyEndsWithTheConnectionWhichIsNotReused() throws Exception {
        KeepwellHttpClient client = client();
        for (int i = 0; i < 2; i++) {
            HttpResponse<String> r = get(client, NginxContainer.UNTIL_CLOSE, HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertEquals(NginxContainer.UNTIL_CLOSE_BODY, r.body());
        }
        assertHelloWorks(client);
        PoolStats stats = client.poolStats();
        assertEquals(3, stats.opened(), "a new connection after each close-delimited body: " + stats);
        assertEquals(0, stats.retried(), stats.toString());
    }

    @Test
    void http10ProxiedPathWorks() throws Exception {
        KeepwellHttpClient client = client();
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = get(client, NginxContainer.HTTP10_PREFIX + NginxContainer.HELLO + "?h10=" + i,
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            assertEquals(java.net.http.HttpClient.Version.HTTP_1_1, r.version());
            assertEquals(NginxContainer.HELLO_BODY, r.body());
        }
        nginx.awaitAccessLog(l -> l.uri().startsWith(NginxContainer.HELLO + "?h10=") && l.protocol().equals("HTTP/1.0"), 3, WAIT);
        assertEquals(1, client.poolStats().opened(), "client side keeps one connection: " + client.poolStats());
    }
}
