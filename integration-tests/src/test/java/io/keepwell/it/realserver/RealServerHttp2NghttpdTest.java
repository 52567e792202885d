package io.keepwell.it.realserver;

import static io.keepwell.it.support.Http2Servers.send;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keepwell.it.support.ClientLeakCheck;
import io.keepwell.it.support.Http2Servers;
import io.keepwell.it.support.NghttpdContainer;
import io.keepwell.it.support.Poll;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
    private static final int CANCEL_ROUNDS = 5;
    /**
     * The client's stream window for the stream-limit tests: a 1 MiB file then takes sixteen
     * WINDOW_UPDATEs, so nghttpd sees a stream open for a while (with the default 1 MiB window it
     * sends the whole file at once, and two streams hardly overlap on its side).
     */
    private static final int PACED_WINDOW = 64 * 1024;
    /** How long to watch for frames that must not come. */
    private static final Pattern STREAM_ID = Pattern.compile("stream_id=(\\d+)>");

    @Container
    static final NghttpdContainer twoStreams = new NghttpdContainer().withMaxConcurrentStreams(MAX_STREAMS).withFrameLog();

    @Container
    static final NghttpdContainer twoStreamsUncapped = new NghttpdContainer().withMaxConcurrentStreams(MAX_STREAMS).withFrameLog();

    @Container
    static final NghttpdContainer tinyWindows = new NghttpdContainer().withWindowBits(TINY_WINDOW_BITS, TINY_WINDOW_BITS);

    @Container
    static final NghttpdContainer overTls = new NghttpdContainer().withTls(CERTIFICATES);

    @Container
    static final NghttpdContainer cancelTarget = new NghttpdContainer().withFrameLog().withLargeBodySize(64 << 20);

    @Container
    static final NghttpdContainer pingTarget = new NghttpdContainer().withFrameLog();

    @Container
    static final NghttpdContainer frozen = new NghttpdContainer();

    @Container
    static final NghttpdContainer pushAndTrailers = new NghttpdContainer()
            .withPush(NghttpdContainer.HELLO, NghttpdContainer.LARGE).withTrailer("x-keepwell: trailer").withFrameLog();

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
                .http2InitialWindowSize(PACED_WINDOW).pool(PoolConfig.builder().maxConnectionsPerHost(1).build()));
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
        Map<Integer, Integer> seen = twoStreams.maxOpenStreamsPerConnection();
        assertTrue(seen.values().stream().allMatch(n -> n <= MAX_STREAMS) && seen.containsValue(MAX_STREAMS),
                "streams open at once per connection, as nghttpd saw them: " + seen);
    }

    /**
     * The same twenty downloads with no cap on connections: the client may open more connections,
     * but never puts a third stream on one (nghttpd would refuse it) and never needs a retry.
     */
    @Test
    void withoutAConnectionCapNoConnectionExceedsTheStreamLimit() throws Exception {
        KeepwellHttpClient client = leaks.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1).h2cPriorKnowledge(true)
                .http2InitialWindowSize(PACED_WINDOW));
        List<CompletableFuture<HttpResponse<byte[]>>> all = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            all.add(client.sendAsync(HttpRequest.newBuilder(twoStreamsUncapped.uri(NghttpdContainer.LARGE + "?uncapped=" + i)).build(),
                    HttpResponse.BodyHandlers.ofByteArray()));
        }
        for (int i = 0; i < REQUESTS; i++) {
            HttpResponse<byte[]> r = all.get(i).get(60, TimeUnit.SECONDS);
            assertEquals(Version.HTTP_2, r.version(), "request " + i);
            assertArrayEquals(twoStreamsUncapped.expectedLargeBody(), r.body(), "request " + i);
        }
        PoolStats stats = client.poolStats();
        assertTrue(stats.opened() >= 1 && stats.opened() <= REQUESTS / MAX_STREAMS, "connections: " + stats);
        assertEquals(0, stats.retried(), "nothing refused, nothing retried: " + stats);
        awaitLoggedAfterEverything(client, twoStreamsUncapped, "uncapped-barrier");
        assertEquals(List.of(), twoStreamsUncapped.frameLog().stream().filter(l -> l.contains("send RST_STREAM")).toList(), "nghttpd refused nothing");
        Map<Integer, Integer> seen = twoStreamsUncapped.maxOpenStreamsPerConnection();
        assertTrue(seen.values().stream().allMatch(n -> n <= MAX_STREAMS), "streams open at once per connection, as nghttpd saw them: " + seen);
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

    /**
     * Cancelling the future of a download in progress resets its stream once, with CANCEL; the
     * connection stays and serves the next download (the leak check then finds every stream gone
     * and the connection's receive window whole again). Five rounds: whether DATA is still in
     * flight towards the client when its reset leaves varies from round to round.
     */
    @Test
    void cancellingADownloadResetsItsStreamOnceWithCancel() throws Exception {
        KeepwellHttpClient client = leaks.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1).h2cPriorKnowledge(true)
                .http2InitialWindowSize(TINY_WINDOW));
        List<String> cancelled = new ArrayList<>();
        for (int round = 0; round < CANCEL_ROUNDS; round++) {
            CompletableFuture<HttpResponse<Void>> download = client.sendAsync(
                    HttpRequest.newBuilder(cancelTarget.uri(NghttpdContainer.LARGE + "?cancel=" + round)).build(),
                    HttpResponse.BodyHandlers.discarding());
            int before = cancelled.size();
            List<String> sending = Poll.until(() -> streamsOf(cancelTarget.frameLog(), "send DATA frame"),
                    streams -> streams.size() > before, WAIT, "nghttpd sending DATA for round " + round);
            assertFalse(download.isDone(), "64 MiB through a 1023-byte window cannot be done yet: " + download);
            download.cancel(true);
            String stream = sending.get(before);
            cancelled.add(stream);
            Poll.until(() -> streamsOf(cancelTarget.frameLog(), "recv RST_STREAM"), resets -> resets.contains(stream), WAIT,
                    "RST_STREAM for stream " + stream + " at nghttpd");
        }
        HttpResponse<String> next = send(client, HttpRequest.newBuilder(cancelTarget.uri(NghttpdContainer.HELLO)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(NghttpdContainer.HELLO_BODY, next.body());
        assertEquals(1, client.poolStats().opened(), "the connection outlived the cancelled streams: " + client.poolStats());
        // DATA nghttpd sent before it read a reset still arrives (before the response just read); the
        // client must ignore it (RFC 9113 section 5.4.2), not answer it with more RST_STREAMs.
        awaitLoggedAfterEverything(client, cancelTarget, "cancel-barrier");
        List<String> resets = cancelTarget.frameLog().stream().filter(l -> l.contains("recv RST_STREAM")).toList();
        assertEquals(cancelled, resets.stream().map(RealServerHttp2NghttpdTest::streamId).toList(),
                "one RST_STREAM per cancelled stream, nothing more: " + resets);
        assertTrue(resets.stream().allMatch(l -> l.contains("error_code=CANCEL")), "all CANCEL: " + resets);
    }

    /**
     * Sends one more request and waits until nghttpd has logged it: the client writes in order and
     * nghttpd logs as it reads, so every frame the client wrote before (a stray reset included) is
     * in the log by then.
     */
    private static void awaitLoggedAfterEverything(KeepwellHttpClient client, NghttpdContainer server, String marker) throws Exception {
        send(client, HttpRequest.newBuilder(server.uri(NghttpdContainer.HELLO + "?" + marker)).build(), HttpResponse.BodyHandlers.ofString());
        // nghttpd prints a request's headers on lines of their own, so the whole log is searched.
        Poll.until(server::getLogs, log -> log.contains(marker), WAIT, "nghttpd logging " + marker);
    }

    /** The distinct stream ids, in order of first appearance, of the frames whose line contains {@code what}. */
    private static List<String> streamsOf(List<String> frames, String what) {
        return frames.stream().filter(l -> l.contains(what)).map(RealServerHttp2NghttpdTest::streamId).distinct().toList();
    }

    /** With a short PING interval an idle connection is pinged, nghttpd answers, and it stays. */
    @Test
    void anIdleConnectionIsPingedAndKept() throws Exception {
        KeepwellHttpClient client = leaks.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1).h2cPriorKnowledge(true)
                .http2PingInterval(Duration.ofMillis(200)).http2PingTimeout(Duration.ofSeconds(2)));
        assertEquals(NghttpdContainer.HELLO_BODY, send(client, HttpRequest.newBuilder(pingTarget.uri(NghttpdContainer.HELLO)).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        List<String> pings = Poll.until(() -> pingTarget.frameLog().stream().filter(l -> l.contains("recv PING frame")).toList(),
                p -> p.size() >= 3, WAIT, "three PINGs at nghttpd");
        assertTrue(pings.stream().noneMatch(l -> l.contains("ACK")), "the client's PINGs are not ACKs: " + pings);
        assertTrue(pingTarget.frameLog().stream().anyMatch(l -> l.contains("send PING frame") && l.contains("ACK")), "nghttpd acked");
        PoolStats stats = client.poolStats();
        assertEquals(0, stats.closed(), "an answered PING keeps the connection: " + stats);
        assertEquals(NghttpdContainer.HELLO_BODY, send(client, HttpRequest.newBuilder(pingTarget.uri(NghttpdContainer.HELLO)).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        assertEquals(1, client.poolStats().opened(), "the pinged connection served again: " + client.poolStats());
    }

    /** A frozen server ({@code docker pause}) answers no PING: the connection closes as PING_TIMEOUT and is replaced. */
    @Test
    void aFrozenServerFailsThePingAndTheConnectionIsReplaced() throws Exception {
        KeepwellHttpClient client = leaks.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1).h2cPriorKnowledge(true)
                .http2PingInterval(Duration.ofMillis(200)).http2PingTimeout(Duration.ofMillis(500)));
        HttpRequest hello = HttpRequest.newBuilder(frozen.uri(NghttpdContainer.HELLO)).build();
        assertEquals(NghttpdContainer.HELLO_BODY, send(client, hello, HttpResponse.BodyHandlers.ofString()).body());
        frozen.pause();
        try {
            Witnesses.awaitCondition(WAIT, () -> client.poolStats().closedBy(CloseReason.PING_TIMEOUT) == 1,
                    () -> "no PING timeout: " + client.poolStats());
        } finally {
            frozen.unpause();
        }
        assertEquals(0, client.poolStats().open(), "closed: " + client.poolStats());
        assertEquals(NghttpdContainer.HELLO_BODY, send(client, hello, HttpResponse.BodyHandlers.ofString()).body());
        assertEquals(2, client.poolStats().opened(), "a new connection after the dead one: " + client.poolStats());
    }

    private static String streamId(String frame) {
        Matcher m = STREAM_ID.matcher(frame);
        if (!m.find()) {
            throw new AssertionError("no stream id in " + frame);
        }
        return m.group(1);
    }

    /** nghttpd is told to push {@code /large} with {@code /hello}; the client's settings forbid push, so it does not. */
    @Test
    void theClientsSettingsDisablePushSoNothingIsPushed() throws Exception {
        KeepwellHttpClient client = leaks.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1).h2cPriorKnowledge(true));
        HttpResponse<String> hello = send(client, HttpRequest.newBuilder(pushAndTrailers.uri(NghttpdContainer.HELLO + "?push")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(NghttpdContainer.HELLO_BODY, hello.body());
        List<String> frames = Poll.until(pushAndTrailers::frameLog,
                f -> f.stream().anyMatch(l -> l.contains("send DATA frame")), WAIT, "the response at nghttpd");
        String settings = frames.stream().filter(l -> l.contains("recv SETTINGS frame") && !l.contains("ACK")).findFirst().orElseThrow();
        assertTrue(settings.contains("[SETTINGS_ENABLE_PUSH(0x02):0]"), "the client's SETTINGS: " + settings);
        assertEquals(List.of(), frames.stream().filter(l -> l.contains("PUSH_PROMISE")).toList(), "nothing pushed");
    }

    /** A response that ends with trailers (a HEADERS frame after the DATA) completes, and the connection serves on. */
    @Test
    void aResponseWithTrailersCompletes() throws Exception {
        KeepwellHttpClient client = leaks.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1).h2cPriorKnowledge(true));
        for (int i = 0; i < 2; i++) {
            HttpResponse<byte[]> large = send(client, HttpRequest.newBuilder(pushAndTrailers.uri(NghttpdContainer.LARGE + "?trailers=" + i)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, large.statusCode());
            assertArrayEquals(pushAndTrailers.expectedLargeBody(), large.body(), "response " + i);
        }
        assertEquals(1, client.poolStats().opened(), "one connection: " + client.poolStats());
        Poll.until(pushAndTrailers::frameLog, f -> f.stream().anyMatch(l -> l.contains("send HEADERS frame") && l.contains("END_STREAM")
                && l.contains("x-keepwell: trailer")), WAIT, "a trailer HEADERS frame sent by nghttpd");
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
