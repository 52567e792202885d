package io.keepwell.it.realserver;

import static io.keepwell.it.support.Http2Servers.send;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keepwell.it.support.AccessLogEntry;
import io.keepwell.it.support.ClientLeakCheck;
import io.keepwell.it.support.HaproxyContainer;
import io.keepwell.it.support.Http2Servers;
import io.keepwell.it.support.NginxContainer;
import io.keepwell.it.support.RequiresDocker;
import io.keepwell.it.support.TestCertificates;
import io.keepwell.it.support.Witnesses;
import io.keepwell.netty.KeepwellHttpClient;
import io.keepwell.pool.CloseReason;
import io.keepwell.pool.PoolStats;
import java.net.http.HttpClient.Version;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * Keepwell's HTTP/2 through haproxy 2.6: a TLS front with ALPN {@code h2, http/1.1}, or an h2c front,
 * each speaking HTTP/2 ({@code proto h2}) to an nginx h2c backend, whose access log shows that the
 * requests arrived, once each, over HTTP/2.
 */
@RequiresDocker
@Testcontainers(parallel = true)
class RealServerHttp2HaproxyTest {

    private static final TestCertificates CERTIFICATES = Http2Servers.loopbackCertificates();
    private static final int CONCURRENT = 50;
    private static final Duration DELAY = Duration.ofMillis(200);
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Container
    static final NginxContainer tlsBackend = new NginxContainer().withHttp2();

    @Container
    static final HaproxyContainer tlsFront = new HaproxyContainer(tlsBackend).withTlsFront(CERTIFICATES);

    @Container
    static final NginxContainer h2cBackend = new NginxContainer().withHttp2();

    @Container
    static final HaproxyContainer h2cFront = new HaproxyContainer(h2cBackend).withH2cFront();

    @Container
    static final NginxContainer idleBackend = new NginxContainer().withHttp2();

    @Container
    static final HaproxyContainer idleFront = new HaproxyContainer(idleBackend).withTlsFront(CERTIFICATES)
            .withHttpKeepAliveTimeout(Duration.ofMillis(300));

    @RegisterExtension
    final ClientLeakCheck leaks = new ClientLeakCheck();

    @Test
    void anH2FrontToAnH2BackServesSmallLargeAndPostedBodies() throws Exception {
        KeepwellHttpClient client = leaks.newClient(Http2Servers.trusting(CERTIFICATES));
        HttpResponse<String> hello = send(client, HttpRequest.newBuilder(tlsFront.uri(NginxContainer.HELLO + "?via=tls")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, hello.statusCode());
        assertEquals(Version.HTTP_2, hello.version());
        assertEquals(NginxContainer.HELLO_BODY, hello.body());
        HttpResponse<byte[]> large = send(client, HttpRequest.newBuilder(tlsFront.uri(NginxContainer.LARGE + "?via=tls")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(Version.HTTP_2, large.version());
        assertArrayEquals(tlsBackend.expectedLargeBody(), large.body());
        byte[] posted = "through haproxy over h2\n".repeat(10_000).getBytes(StandardCharsets.US_ASCII);
        HttpResponse<byte[]> echo = send(client, HttpRequest.newBuilder(tlsFront.uri(NginxContainer.ECHO + "?via=tls"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(posted)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(Version.HTTP_2, echo.version());
        assertArrayEquals(posted, echo.body());
        assertEquals(1, client.poolStats().opened(), "one connection to haproxy: " + client.poolStats());
        List<AccessLogEntry> log = tlsBackend.awaitAccessLog(e -> e.uri().contains("via=tls"), 3, WAIT);
        assertEquals(3, log.size(), "each request once: " + log);
        assertTrue(log.stream().allMatch(e -> e.protocol().equals("HTTP/2.0")), "haproxy -> nginx over HTTP/2: " + log);
    }

    @Test
    void concurrentRequestsThroughTheH2FrontShareOneClientConnection() throws Exception {
        KeepwellHttpClient client = leaks.newClient(Http2Servers.trusting(CERTIFICATES));
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < CONCURRENT; i++) {
            all.add(client.sendAsync(HttpRequest.newBuilder(tlsFront.uri(NginxContainer.delay(DELAY) + "&via=tls-burst&i=" + i)).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> f : all) {
            HttpResponse<String> r = f.get(30, TimeUnit.SECONDS);
            assertEquals(200, r.statusCode());
            assertEquals(Version.HTTP_2, r.version());
            assertEquals("delayed\n", r.body());
        }
        PoolStats stats = client.poolStats();
        assertEquals(1, stats.opened(), "haproxy allows 100 streams; one connection: " + stats);
        List<AccessLogEntry> log = tlsBackend.awaitAccessLog(e -> e.uri().contains("via=tls-burst"), CONCURRENT, WAIT);
        assertEquals(CONCURRENT, log.stream().map(AccessLogEntry::uri).distinct().count(), "each request once: " + log);
    }

    /** haproxy ends an idle h2 client connection at {@code timeout http-keep-alive} with a GOAWAY; the next request gets a new one. */
    @Test
    void haproxysIdleGoAwayIsFollowedByANewConnection() throws Exception {
        KeepwellHttpClient client = leaks.newClient(Http2Servers.trusting(CERTIFICATES));
        HttpRequest hello = HttpRequest.newBuilder(idleFront.uri(NginxContainer.HELLO + "?via=idle")).build();
        assertEquals(Version.HTTP_2, send(client, hello, HttpResponse.BodyHandlers.ofString()).version());
        Witnesses.awaitCondition(WAIT, () -> client.poolStats().closed() == 1, () -> "haproxy's idle close: " + client.poolStats());
        assertEquals(1, client.poolStats().closedBy(CloseReason.GOAWAY), "closed after haproxy's GOAWAY: " + client.poolStats());
        assertEquals(NginxContainer.HELLO_BODY, send(client, hello, HttpResponse.BodyHandlers.ofString()).body());
        PoolStats stats = client.poolStats();
        assertEquals(2, stats.opened(), "a new connection: " + stats);
        assertEquals(0, stats.retried(), "nothing was sent on the closed one: " + stats);
    }

    @Test
    void anH2cFrontWithPriorKnowledge() throws Exception {
        KeepwellHttpClient client = leaks.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1).h2cPriorKnowledge(true));
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> hello = send(client, HttpRequest.newBuilder(h2cFront.uri(NginxContainer.HELLO + "?via=h2c&i=" + i)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, hello.statusCode());
            assertEquals(Version.HTTP_2, hello.version());
            assertEquals(NginxContainer.HELLO_BODY, hello.body());
        }
        assertEquals(1, client.poolStats().opened(), "one connection to haproxy: " + client.poolStats());
        List<AccessLogEntry> log = h2cBackend.awaitAccessLog(e -> e.uri().contains("via=h2c"), 3, WAIT);
        assertTrue(log.stream().allMatch(e -> e.protocol().equals("HTTP/2.0")), "haproxy -> nginx over HTTP/2: " + log);
    }
}
