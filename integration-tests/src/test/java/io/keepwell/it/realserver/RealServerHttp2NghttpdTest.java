package io.keepwell.it.realserver;

import static io.keepwell.it.support.Http2Servers.send;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keepwell.it.support.ClientLeakCheck;
import io.keepwell.it.support.Http2Servers;
import io.keepwell.it.support.NghttpdContainer;
import io.keepwell.it.support.Poll;
import io.keepwell.it.support.RequiresDocker;
import io.keepwell.it.support.TestCertificates;
import io.keepwell.netty.KeepwellHttpClient;
import io.keepwell.pool.PoolConfig;
import io.keepwell.pool.PoolStats;
import java.net.http.HttpClient.Version;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * Keepwell's HTTP/2 against nghttp2's {@code nghttpd}, whose settings are the knobs: a limit of two
 * concurrent streams ({@code -m 2}) with one connection allowed, so requests must queue for stream
 * slots; receive windows of 1023 bytes ({@code -w 10 -W 10}), so an upload moves in tiny
 * WINDOW_UPDATE steps; and a client whose own receive window is tiny, so a download does. nghttpd's
 * frame log ({@code -v}) is the server-side witness.
 */
@RequiresDocker
@Testcontainers(parallel = true)
class RealServerHttp2NghttpdTest {

    private static final TestCertificates CERTIFICATES = Http2Servers.loopbackCertificates();
    private static final int MAX_STREAMS = 2;
    private static final int REQUESTS = 20;
    private static final int TINY_WINDOW_BITS = 10;
    private static final int TINY_WINDOW = (1 << TINY_WINDOW_BITS) - 1;
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Container
    static final NghttpdContainer twoStreams = new NghttpdContainer().withMaxConcurrentStreams(MAX_STREAMS).withFrameLog();

    @Container
    static final NghttpdContainer tinyWindows = new NghttpdContainer().withWindowBits(TINY_WINDOW_BITS, TINY_WINDOW_BITS);

    @Container
    static final NghttpdContainer overTls = new NghttpdContainer().withTls(CERTIFICATES);

    @RegisterExtension
    final ClientLeakCheck leaks = new ClientLeakCheck();

    /**
     * Twenty 1 MiB downloads at once, two streams allowed, one connection allowed: they queue for
     * stream slots and all arrive intact; the client never opens a third stream (nghttpd would
     * refuse it with RST_STREAM) and never a second connection.
     */
    @Test
    void twentyRequestsQueueForTwoStreamsOnOneConnection() throws Exception {
        KeepwellHttpClient client = leaks.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1).h2cPriorKnowledge(true)
                .pool(PoolConfig.builder().maxConnectionsPerHost(1).build()));
        AtomicInteger maxStreams = new AtomicInteger();
        AtomicInteger maxOpen = new AtomicInteger();
        AtomicBoolean sampling = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> {
            while (sampling.get()) {
                PoolStats s = client.poolStats();
                maxStreams.accumulateAndGet(s.streams(), Math::max);
                maxOpen.accumulateAndGet(s.open(), Math::max);
                LockSupport.parkNanos(100_000);
            }
        }, "stream-sampler");
        sampler.start();
        List<CompletableFuture<HttpResponse<byte[]>>> all = new ArrayList<>();
        try {
            for (int i = 0; i < REQUESTS; i++) {
                all.add(client.sendAsync(HttpRequest.newBuilder(twoStreams.uri(NghttpdContainer.LARGE + "?i=" + i)).build(),
                        HttpResponse.BodyHandlers.ofByteArray()));
            }
            for (int i = 0; i < REQUESTS; i++) {
                HttpResponse<byte[]> r = all.get(i).get(60, TimeUnit.SECONDS);
                assertEquals(200, r.statusCode(), "request " + i);
                assertEquals(Version.HTTP_2, r.version(), "request " + i);
                assertArrayEquals(twoStreams.expectedLargeBody(), r.body(), "request " + i);
            }
        } finally {
            sampling.set(false);
            sampler.join();
        }
        PoolStats stats = client.poolStats();
        assertEquals(1, stats.opened(), "connections: " + stats);
        assertEquals(1, maxOpen.get(), "connections open at once");
        assertTrue(maxStreams.get() <= MAX_STREAMS, "stream slots taken at once: " + maxStreams.get());
        assertEquals(0, stats.retried(), "nothing refused, nothing retried: " + stats);
        List<String> frames = Poll.until(twoStreams::frameLog,
                f -> f.stream().filter(l -> l.contains("recv HEADERS frame")).count() >= REQUESTS, WAIT, REQUESTS + " HEADERS received");
        assertEquals(REQUESTS, frames.stream().filter(l -> l.contains("recv HEADERS frame")).count(), "each request sent once");
        assertEquals(List.of(), frames.stream().filter(l -> l.contains("send RST_STREAM") || l.contains("send GOAWAY")).toList(),
                "nghttpd refused nothing");
    }

    /** An upload of 1 MiB into nghttpd's 1023-byte windows: the client waits for each WINDOW_UPDATE. */
    @Test
    void aLargeUploadPassesThroughTinyServerWindows() throws Exception {
        KeepwellHttpClient client = leaks.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1).h2cPriorKnowledge(true));
        byte[] upload = tinyWindows.expectedLargeBody();
        HttpResponse<byte[]> echo = send(client, HttpRequest.newBuilder(tinyWindows.uri(NghttpdContainer.ECHO))
                .POST(HttpRequest.BodyPublishers.ofByteArray(upload)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, echo.statusCode());
        assertEquals(Version.HTTP_2, echo.version());
        assertArrayEquals(upload, echo.body(), "the echoed 1 MiB");
        HttpResponse<byte[]> download = send(client, HttpRequest.newBuilder(tinyWindows.uri(NghttpdContainer.LARGE)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertArrayEquals(tinyWindows.expectedLargeBody(), download.body(), "the downloaded 1 MiB");
    }

    /**
     * A download of 1 MiB into the client's own tiny windows: a 1023-byte stream window, and the
     * smallest connection window HTTP/2 has (65535, its initial size), so nghttpd waits for the
     * client's WINDOW_UPDATEs all along.
     */
    @Test
    void aLargeDownloadPassesThroughTinyClientWindows() throws Exception {
        KeepwellHttpClient client = leaks.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1).h2cPriorKnowledge(true)
                .http2InitialWindowSize(TINY_WINDOW).http2ConnectionWindowSize(65_535));
        for (int i = 0; i < 2; i++) {
            HttpResponse<byte[]> download = send(client, HttpRequest.newBuilder(tinyWindows.uri(NghttpdContainer.LARGE)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, download.statusCode());
            assertEquals(Version.HTTP_2, download.version());
            assertArrayEquals(tinyWindows.expectedLargeBody(), download.body(), "download " + i);
        }
        assertEquals(1, client.poolStats().opened(), "the windows were restored for the second download: " + client.poolStats());
    }

    /** nghttpd's TLS offers only {@code h2}: the client's ALPN must pick it. */
    @Test
    void overTlsTheClientNegotiatesH2() throws Exception {
        KeepwellHttpClient client = leaks.newClient(Http2Servers.trusting(CERTIFICATES));
        HttpResponse<String> hello = send(client, HttpRequest.newBuilder(overTls.uri(NghttpdContainer.HELLO)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, hello.statusCode());
        assertEquals(Version.HTTP_2, hello.version());
        assertEquals(NghttpdContainer.HELLO_BODY, hello.body());
        HttpResponse<byte[]> large = send(client, HttpRequest.newBuilder(overTls.uri(NghttpdContainer.LARGE)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertArrayEquals(overTls.expectedLargeBody(), large.body());
        assertEquals(1, client.poolStats().opened(), "one connection: " + client.poolStats());
    }
}
