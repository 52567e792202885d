package io.keepwell.it.realserver;

import static io.keepwell.it.support.Http2Servers.send;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keepwell.http.StreamResetException;
import io.keepwell.it.support.AccessLogEntry;
import io.keepwell.it.support.ClientLeakCheck;
import io.keepwell.it.support.Http2Servers;
import io.keepwell.it.support.NginxContainer;
import io.keepwell.it.support.RequiresDocker;
import io.keepwell.it.support.TestCertificates;
import io.keepwell.it.support.Witnesses;
import io.keepwell.netty.KeepwellHttpClient;
import io.keepwell.pool.CloseReason;
import io.keepwell.pool.PoolConfig;
import io.keepwell.pool.PoolStats;
import java.net.http.HttpClient.Version;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * Keepwell's HTTP/2 against nginx 1.22: {@code listen ... ssl http2} (ALPN h2), TLS without http2
 * (ALPN falls back to HTTP/1.1), and h2c with prior knowledge. nginx's access log (protocol and
 * connection serial per request) is the witness from the server's side.
 */
@RequiresDocker
@Testcontainers(parallel = true)
class RealServerHttp2NginxTest {

    private static final TestCertificates CERTIFICATES = Http2Servers.loopbackCertificates();
    private static final int MAX_CONCURRENT_STREAMS = 128;
    private static final int BURST = 100;
    private static final Duration DELAY = Duration.ofMillis(300);
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Container
    static final NginxContainer h2 = new NginxContainer().withTls(CERTIFICATES).withHttp2()
            .withHttp2MaxConcurrentStreams(MAX_CONCURRENT_STREAMS);

    @Container
    static final NginxContainer oneStream = new NginxContainer().withTls(CERTIFICATES).withHttp2().withHttp2MaxConcurrentStreams(1);

    @Container
    static final NginxContainer tlsHttp11 = new NginxContainer().withTls(CERTIFICATES);

    @Container
    static final NginxContainer h2c = new NginxContainer().withHttp2();

    @RegisterExtension
    final ClientLeakCheck leaks = new ClientLeakCheck();

    @Test
    void smallAndLargeBodiesComeOverOneH2Connection() throws Exception {
        KeepwellHttpClient client = leaks.newClient(Http2Servers.trusting(CERTIFICATES));
        HttpResponse<String> hello = send(client, get(h2, NginxContainer.HELLO + "?bodies=small"), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, hello.statusCode());
        assertEquals(Version.HTTP_2, hello.version());
        assertEquals(NginxContainer.HELLO_BODY, hello.body());
        HttpResponse<byte[]> large = send(client, get(h2, NginxContainer.LARGE + "?bodies=large"), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, large.statusCode());
        assertEquals(Version.HTTP_2, large.version());
        assertArrayEquals(h2.expectedLargeBody(), large.body(), "the 1 MiB body");
        assertEquals(1, client.poolStats().opened(), "one connection: " + client.poolStats());
        List<AccessLogEntry> log = h2.awaitAccessLog(e -> e.uri().contains("bodies="), 2, WAIT);
        assertTrue(log.stream().allMatch(e -> e.protocol().equals("HTTP/2.0")), "nginx saw HTTP/2: " + log);
        assertEquals(1, log.stream().map(AccessLogEntry::connection).distinct().count(), "nginx saw one connection: " + log);
    }

    /** 100 slow requests at once fit the 128 streams nginx allows: one connection carries them all. */
    @Test
    void aBurstOfAHundredConcurrentRequestsSharesOneConnection() throws Exception {
        KeepwellHttpClient client = leaks.newClient(Http2Servers.trusting(CERTIFICATES));
        List<CompletableFuture<HttpResponse<String>>> burst = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < BURST; i++) {
            burst.add(client.sendAsync(get(h2, NginxContainer.delay(DELAY) + "&burst=" + i), HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> f : burst) {
            HttpResponse<String> r = f.get(30, TimeUnit.SECONDS);
            assertEquals(200, r.statusCode());
            assertEquals(Version.HTTP_2, r.version());
            assertEquals("delayed\n", r.body());
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        PoolStats stats = client.poolStats();
        assertEquals(1, stats.opened(), "connections opened for the burst: " + stats);
        // The streams ran side by side: one after another they would take a hundred delays.
        assertTrue(elapsed.compareTo(DELAY.multipliedBy(BURST / 5)) < 0, "the burst took " + elapsed);
        List<AccessLogEntry> log = h2.awaitAccessLog(e -> e.uri().contains("&burst="), BURST, WAIT);
        assertEquals(BURST, log.size(), "each request served once: " + log);
        assertEquals(1, log.stream().map(AccessLogEntry::connection).distinct().count(), "nginx's connections: " + log);
        assertTrue(log.stream().allMatch(e -> e.protocol().equals("HTTP/2.0")), "protocols: " + log);
        h2.awaitActiveConnections(1, WAIT);
    }

    /**
     * nginx allows one stream per connection and the client two connections: ten slow requests
     * take turns, two at a time, and none is sent beyond the limit (nginx would refuse it with
     * REFUSED_STREAM, and the client would have to retry it).
     */
    @Test
    void requestsBeyondTheServersStreamLimitWaitForASlot() throws Exception {
        KeepwellHttpClient client = leaks.newClient(Http2Servers.trusting(CERTIFICATES)
                .pool(PoolConfig.builder().maxConnectionsPerHost(2).build()));
        int requests = 10;
        long start = System.nanoTime();
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            all.add(client.sendAsync(get(oneStream, NginxContainer.delay(DELAY) + "&turns=" + i), HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> f : all) {
            HttpResponse<String> r = f.get(30, TimeUnit.SECONDS);
            assertEquals(Version.HTTP_2, r.version());
            assertEquals("delayed\n", r.body());
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        PoolStats stats = client.poolStats();
        assertEquals(2, stats.opened(), "connections: " + stats);
        assertEquals(0, stats.retried(), "nothing refused, nothing retried: " + stats);
        assertTrue(elapsed.compareTo(DELAY.multipliedBy(requests / 2)) >= 0, "two at a time take five delays, took " + elapsed);
        List<AccessLogEntry> log = oneStream.awaitAccessLog(e -> e.uri().contains("&turns="), requests, WAIT);
        assertEquals(requests, log.size(), "each request once: " + log);
        assertEquals(2, log.stream().map(AccessLogEntry::connection).distinct().count(), "nginx's connections: " + log);
    }

    /** {@code return 444} on h2 makes nginx reset the stream; the call fails typed, once, and the connection stays. */
    @Test
    void aStreamTheServerResetsFailsTypedAndTheConnectionStays() throws Exception {
        KeepwellHttpClient client = leaks.newClient(Http2Servers.trusting(CERTIFICATES));
        CompletableFuture<HttpResponse<String>> reset = client.sendAsync(get(h2, NginxContainer.CLOSE + "?reset=1"),
                HttpResponse.BodyHandlers.ofString());
        ExecutionException failed = assertThrows(ExecutionException.class, () -> reset.get(20, TimeUnit.SECONDS));
        StreamResetException e = assertInstanceOf(StreamResetException.class, failed.getCause());
        assertEquals("PROTOCOL_ERROR", e.errorName(), "nginx 1.22 resets a 444 with PROTOCOL_ERROR: " + e);
        assertFalse(e.unprocessed(), "nginx processed it: " + e);
        HttpResponse<String> next = send(client, get(h2, NginxContainer.HELLO + "?after-reset"), HttpResponse.BodyHandlers.ofString());
        assertEquals(NginxContainer.HELLO_BODY, next.body());
        assertEquals(1, client.poolStats().opened(), "the connection outlived the reset stream: " + client.poolStats());
        h2.awaitAccessLog(l -> l.uri().contains("after-reset"), 1, WAIT);
        assertEquals(1, h2.accessLog().stream().filter(l -> l.uri().contains("reset=1")).count(), "sent once, not retried");
    }

    /** Half of a hundred streams in flight are cancelled: the rest complete, and no slot, stream or window byte is lost. */
    @Test
    void cancellingHalfOfABurstLeavesTheConnectionWhole() throws Exception {
        KeepwellHttpClient client = leaks.newClient(Http2Servers.trusting(CERTIFICATES));
        List<CompletableFuture<HttpResponse<String>>> burst = new ArrayList<>();
        for (int i = 0; i < BURST; i++) {
            burst.add(client.sendAsync(get(h2, NginxContainer.delay(DELAY.multipliedBy(2)) + "&half=" + i), HttpResponse.BodyHandlers.ofString()));
        }
        Witnesses.awaitCondition(WAIT, () -> client.poolStats().streams() == BURST, () -> "streams open: " + client.poolStats());
        for (int i = 0; i < BURST; i += 2) {
            burst.get(i).cancel(true);
        }
        for (int i = 1; i < BURST; i += 2) {
            HttpResponse<String> r = burst.get(i).get(30, TimeUnit.SECONDS);
            assertEquals("delayed\n", r.body(), "request " + i);
        }
        assertEquals(BURST / 2, burst.stream().filter(CompletableFuture::isCancelled).count(), "cancelled");
        HttpResponse<String> next = send(client, get(h2, NginxContainer.HELLO + "?after-half"), HttpResponse.BodyHandlers.ofString());
        assertEquals(NginxContainer.HELLO_BODY, next.body());
        assertEquals(1, client.poolStats().opened(), "one connection throughout: " + client.poolStats());
    }

    /** 8 MiB up through nginx's 64 KiB stream window and back: the client sends only what the window allows. */
    @Test
    void aLargeUploadIsEchoedThroughTheServersWindow() throws Exception {
        KeepwellHttpClient client = leaks.newClient(Http2Servers.trusting(CERTIFICATES));
        byte[] body = new byte[8 << 20];
        new java.util.Random(12).nextBytes(body);
        HttpResponse<byte[]> echo = send(client, HttpRequest.newBuilder(h2.uri(NginxContainer.ECHO + "?upload=8m"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(Version.HTTP_2, echo.version());
        assertArrayEquals(body, echo.body(), "the 8 MiB echo");
    }

    /** The pool's idle timeout closes an h2 connection without streams, as it does an HTTP/1.1 one; nginx sees it go. */
    @Test
    void theClientsIdleTimeoutClosesAnIdleH2Connection() throws Exception {
        KeepwellHttpClient client = leaks.newClient(Http2Servers.trusting(CERTIFICATES)
                .pool(PoolConfig.builder().idleTimeout(Duration.ofMillis(300)).build()));
        assertEquals(Version.HTTP_2, send(client, get(h2, NginxContainer.HELLO + "?idle"), HttpResponse.BodyHandlers.ofString()).version());
        Witnesses.awaitCondition(WAIT, () -> client.poolStats().closedBy(CloseReason.IDLE_TIMEOUT) == 1,
                () -> "idle timeout: " + client.poolStats());
        assertEquals(0, client.poolStats().open(), "closed: " + client.poolStats());
        h2.awaitActiveConnections(0, WAIT);
    }

    /** The echo module reads the request body and writes it back over the h2 stream. */
    @Test
    void aPostBodyIsEchoedOverH2() throws Exception {
        KeepwellHttpClient client = leaks.newClient(Http2Servers.trusting(CERTIFICATES));
        byte[] body = "posted over h2\n".repeat(20_000).getBytes(StandardCharsets.US_ASCII);
        HttpResponse<byte[]> echo = send(client, HttpRequest.newBuilder(h2.uri(NginxContainer.ECHO + "?h2=post"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, echo.statusCode());
        assertEquals(Version.HTTP_2, echo.version());
        assertArrayEquals(body, echo.body());
        AccessLogEntry logged = h2.awaitAccessLog(e -> e.uri().contains("h2=post"), 1, WAIT).get(0);
        assertEquals("POST", logged.method());
        assertEquals("HTTP/2.0", logged.protocol());
    }

    /** {@code version(HTTP_1_1)} offers only http/1.1 in ALPN, so an h2-capable nginx answers HTTP/1.1. */
    @Test
    void aClientSetToHttp11SpeaksHttp11ToAnH2Server() throws Exception {
        KeepwellHttpClient client = leaks.newClient(Http2Servers.trusting(CERTIFICATES).version(java.net.http.HttpClient.Version.HTTP_1_1));
        HttpResponse<String> hello = send(client, get(h2, NginxContainer.HELLO + "?h2=forced-h1"), HttpResponse.BodyHandlers.ofString());
        assertEquals(Version.HTTP_1_1, hello.version());
        assertEquals(NginxContainer.HELLO_BODY, hello.body());
        assertEquals("HTTP/1.1", h2.awaitAccessLog(e -> e.uri().contains("h2=forced-h1"), 1, WAIT).get(0).protocol());
    }

    /** ALPN without h2 on the server's side: HTTP/1.1, and the connection is pooled and reused. */
    @Test
    void tlsWithoutHttp2FallsBackToHttp11AndReusesTheConnection() throws Exception {
        KeepwellHttpClient client = leaks.newClient(Http2Servers.trusting(CERTIFICATES));
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> hello = send(client, get(tlsHttp11, NginxContainer.HELLO + "?fallback=" + i),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, hello.statusCode());
            assertEquals(Version.HTTP_1_1, hello.version(), "request " + i);
            assertEquals(NginxContainer.HELLO_BODY, hello.body());
        }
        PoolStats stats = client.poolStats();
        assertEquals(1, stats.opened(), "one connection: " + stats);
        assertEquals(2, stats.reused(), "reused for the second and third request: " + stats);
        List<AccessLogEntry> log = tlsHttp11.awaitAccessLog(e -> e.uri().contains("fallback="), 3, WAIT);
        assertTrue(log.stream().allMatch(e -> e.protocol().equals("HTTP/1.1")), "protocols: " + log);
        assertEquals(1, log.stream().map(AccessLogEntry::connection).distinct().count(), "nginx's connections: " + log);
        assertEquals(List.of(1, 2, 3), log.stream().map(AccessLogEntry::connectionRequests).toList(), "requests per connection");
    }

    /**
     * Twenty requests at once from a fresh client to a TLS server without h2: they wait for the
     * first connect (it might have come up HTTP/2), and once it is HTTP/1.1 they get connections
     * of their own instead of queueing behind one.
     */
    @Test
    void concurrentRequestsToAnHttp11OnlyTlsServerGetConnectionsOfTheirOwn() throws Exception {
        KeepwellHttpClient client = leaks.newClient(Http2Servers.trusting(CERTIFICATES));
        int requests = 20;
        long start = System.nanoTime();
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            all.add(client.sendAsync(get(tlsHttp11, NginxContainer.delay(DELAY) + "&h1burst=" + i), HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> f : all) {
            HttpResponse<String> r = f.get(30, TimeUnit.SECONDS);
            assertEquals(Version.HTTP_1_1, r.version());
            assertEquals("delayed\n", r.body());
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        PoolStats stats = client.poolStats();
        assertTrue(stats.opened() > 1, "HTTP/1.1 does not multiplex: " + stats);
        assertTrue(elapsed.compareTo(DELAY.multipliedBy(requests / 2)) < 0, "side by side, not one after another: took " + elapsed);
        List<AccessLogEntry> log = tlsHttp11.awaitAccessLog(e -> e.uri().contains("&h1burst="), requests, WAIT);
        assertEquals(requests, log.size(), "each request once: " + log);
        assertEquals(stats.opened(), log.stream().map(AccessLogEntry::connection).distinct().count(), "nginx's connections: " + stats);
    }

    @Test
    void h2cWithPriorKnowledgeServesSmallAndLargeBodies() throws Exception {
        KeepwellHttpClient client = leaks.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1).h2cPriorKnowledge(true));
        HttpResponse<String> hello = send(client, get(h2c, NginxContainer.HELLO + "?h2c=small"), HttpResponse.BodyHandlers.ofString());
        assertEquals(Version.HTTP_2, hello.version());
        assertEquals(NginxContainer.HELLO_BODY, hello.body());
        HttpResponse<byte[]> large = send(client, get(h2c, NginxContainer.LARGE + "?h2c=large"), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(Version.HTTP_2, large.version());
        assertArrayEquals(h2c.expectedLargeBody(), large.body());
        assertEquals(1, client.poolStats().opened(), "one connection: " + client.poolStats());
        List<AccessLogEntry> log = h2c.awaitAccessLog(e -> e.uri().contains("h2c="), 2, WAIT);
        assertTrue(log.stream().allMatch(e -> e.protocol().equals("HTTP/2.0")), "protocols: " + log);
    }

    /** Without prior knowledge, {@code http://} stays HTTP/1.1 (no Upgrade): the plain port answers it. */
    @Test
    void plainHttpStaysHttp11ByDefault() throws Exception {
        KeepwellHttpClient client = leaks.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1));
        HttpResponse<String> hello = send(client, HttpRequest.newBuilder(h2c.plainUri(NginxContainer.HELLO + "?plain=h1")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(Version.HTTP_1_1, hello.version());
        assertEquals(NginxContainer.HELLO_BODY, hello.body());
        AccessLogEntry logged = h2c.awaitAccessLog(e -> e.uri().contains("plain=h1"), 1, WAIT).get(0);
        assertEquals("HTTP/1.1", logged.protocol());
    }

    private static HttpRequest get(NginxContainer server, String path) {
        return HttpRequest.newBuilder(server.uri(path)).GET().build();
    }
}
