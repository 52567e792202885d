package io.keepwell.it.realserver;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.keepwell.it.support.AccessLogEntry;
import io.keepwell.it.support.HaproxyContainer;
import io.keepwell.it.support.LoopbackServerContainer;
import io.keepwell.it.support.NeverPullPolicy;
import io.keepwell.it.support.NginxContainer;
import io.keepwell.it.support.Poll;
import io.keepwell.it.support.RawHttpConnection;
import io.keepwell.it.support.RawResponse;
import io.keepwell.it.support.RequiresDocker;
import io.keepwell.it.support.ServerExitedException;
import java.io.EOFException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * Checks that each knob of the real-server containers does what the suite built on them relies
 * on, using raw sockets and the JDK's client (not Keepwell's).
 */
@RequiresDocker
@Testcontainers(parallel = true)
class RealServerSmokeTest {

    private static final int KEEPALIVE_REQUESTS = 3;
    private static final Duration KEEPALIVE_TIMEOUT = Duration.ofMillis(500);
    private static final Duration HAPROXY_KEEPALIVE_TIMEOUT = Duration.ofMillis(300);
    private static final Duration WAIT = Duration.ofSeconds(5);
    /** Timers fire a little early or late relative to when the test starts its clock. */
    private static final Duration TIMER_SLACK = Duration.ofMillis(100);

    @Container
    static final NginxContainer nginx = new NginxContainer()
            .withKeepaliveRequests(KEEPALIVE_REQUESTS)
            .withKeepaliveTimeout(KEEPALIVE_TIMEOUT);

    @Container
    static final NginxContainer backend = new NginxContainer();

    @Container
    static final HaproxyContainer haproxy = new HaproxyContainer(backend)
            .withHttpKeepAliveTimeout(HAPROXY_KEEPALIVE_TIMEOUT);

    private static final HttpClient jdkClient = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    @Test
    void helloHasContentLengthAndKeepsTheConnection() throws Exception {
        try (RawHttpConnection conn = RawHttpConnection.open(nginx)) {
            RawResponse r = conn.get(NginxContainer.HELLO);
            assertEquals(200, r.status());
            assertEquals(RawResponse.Framing.CONTENT_LENGTH, r.framing());
            assertEquals(NginxContainer.HELLO_BODY, r.bodyText());
            assertEquals("keep-alive", r.header("Connection"));
        }
    }

    @Test
    void keepaliveRequestsClosesAfterTheLastAllowedRequest() throws Exception {
        String marker = "?keepalive-requests";
        try (RawHttpConnection conn = RawHttpConnection.open(nginx)) {
            for (int i = 1; i <= KEEPALIVE_REQUESTS; i++) {
                RawResponse r = conn.get(NginxContainer.HELLO + marker);
                assertEquals(200, r.status());
                assertEquals(i < KEEPALIVE_REQUESTS ? "keep-alive" : "close", r.header("Connection"), "request " + i);
            }
            assertTrue(conn.awaitServerClose(WAIT), "nginx closes after keepalive_requests");
        }
        List<AccessLogEntry> entries = nginx.awaitAccessLog(uri(NginxContainer.HELLO + marker), KEEPALIVE_REQUESTS, WAIT);
        assertEquals(1, entries.stream().map(AccessLogEntry::connection).distinct().count(), "one connection: " + entries);
        assertEquals(List.of(1, 2, 3), entries.stream().map(AccessLogEntry::connectionRequests).toList());
    }

    @Test
    void keepaliveTimeoutClosesAnIdleConnection() throws Exception {
        try (RawHttpConnection conn = RawHttpConnection.open(nginx)) {
            assertEquals(200, conn.get(NginxContainer.HELLO).status());
            long start = System.nanoTime();
            assertTrue(conn.awaitServerClose(WAIT), "nginx closes an idle connection");
            assertElapsedAtLeast(start, KEEPALIVE_TIMEOUT.minus(TIMER_SLACK));
        }
    }

    @Test
    void return444ClosesWithoutAReply() throws Exception {
        try (RawHttpConnection conn = RawHttpConnection.open(nginx)) {
            conn.send("GET", NginxContainer.CLOSE, null);
            assertThrows(EOFException.class, conn::readResponse);
        }
        nginx.awaitAccessLog(e -> e.uri().equals(NginxContainer.CLOSE) && e.status() == 444, 1, WAIT);
    }

    @Test
    void delayWaitsBeforeReplying() throws Exception {
        Duration delay = Duration.ofMillis(300);
        try (RawHttpConnection conn = RawHttpConnection.open(nginx)) {
            long start = System.nanoTime();
            RawResponse r = conn.get(NginxContainer.delay(delay));
            assertElapsedAtLeast(start, delay);
            assertEquals(200, r.status());
            assertEquals("delayed\n", r.bodyText());
        }
    }

    @Test
    void stallSendsTheHeadersThenWaitsInsideTheBody() throws Exception {
        Duration stall = Duration.ofMillis(500);
        // Warm up the JDK client and its connection, so the timing below is nginx's alone.
        assertEquals(200, jdkClient.send(HttpRequest.newBuilder(nginx.uri(NginxContainer.HELLO)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode());
        long start = System.nanoTime();
        HttpResponse<InputStream> response = jdkClient.send(
                HttpRequest.newBuilder(nginx.uri(NginxContainer.stall(stall))).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        long headersAfter = System.nanoTime() - start;
        try (InputStream body = response.body()) {
            assertEquals("before stall\nafter stall\n", new String(body.readAllBytes(), UTF_8));
        }
        assertTrue(headersAfter < stall.toNanos(), "headers arrive before the stall: " + headersAfter / 1_000_000 + " ms");
        assertElapsedAtLeast(start, stall);
    }

    @Test
    void echoReturnsPostBodiesAndTheAccessLogCountsThem() throws Exception {
        String marker = "?echo-count";
        byte[] large = "x".repeat(64 * 1024).getBytes(UTF_8);
        List<byte[]> bodies = List.of("one".getBytes(UTF_8), "two".getBytes(UTF_8), large);
        for (byte[] body : bodies) {
            try (RawHttpConnection conn = RawHttpConnection.open(nginx)) {
                RawResponse r = conn.exchange("POST", NginxContainer.ECHO + marker, body, "Content-Type: text/plain");
                assertEquals(200, r.status());
                assertArrayEquals(body, r.body());
            }
        }
        List<AccessLogEntry> posts = nginx.awaitAccessLog(
                uri(NginxContainer.ECHO + marker).and(e -> e.method().equals("POST")), bodies.size(), WAIT);
        assertEquals(bodies.size(), posts.size());
        assertTrue(posts.get(2).requestLength() > large.length, "request_length includes the body: " + posts.get(2));
    }

    @Test
    void largeBodyHasContentLengthAndTheExpectedBytes() throws Exception {
        try (RawHttpConnection conn = RawHttpConnection.open(nginx)) {
            RawResponse r = conn.get(NginxContainer.LARGE);
            assertEquals(200, r.status());
            assertEquals(RawResponse.Framing.CONTENT_LENGTH, r.framing());
            assertEquals(1 << 20, r.body().length);
            assertArrayEquals(nginx.expectedLargeBody(), r.body());
        }
    }

    @Test
    void chunkedBodyComesInSeveralChunks() throws Exception {
        try (RawHttpConnection conn = RawHttpConnection.open(nginx)) {
            RawResponse r = conn.get(NginxContainer.CHUNKED);
            assertEquals(RawResponse.Framing.CHUNKED, r.framing());
            assertEquals(NginxContainer.CHUNKED_BODY, r.bodyText());
            assertEquals(List.of(4096, 4096, 4096, 4096), r.chunkSizes());
        }
    }

    @Test
    void untilCloseBodyEndsWhenNginxCloses() throws Exception {
        try (RawHttpConnection conn = RawHttpConnection.open(nginx)) {
            RawResponse r = conn.get(NginxContainer.UNTIL_CLOSE);
            assertEquals(RawResponse.Framing.UNTIL_CLOSE, r.framing());
            assertEquals("close", r.header("Connection"));
            assertNull(r.header("Content-Length"));
            assertEquals(NginxContainer.UNTIL_CLOSE_BODY, r.bodyText());
        }
    }

    @Test
    void http10PrefixProxiesOverAnHttp10UpstreamConnection() throws Exception {
        String marker = "?http10";
        try (RawHttpConnection conn = RawHttpConnection.open(nginx)) {
            RawResponse r = conn.get(NginxContainer.HTTP10_PREFIX + NginxContainer.HELLO + marker);
            assertEquals(200, r.status());
            assertEquals("HTTP/1.1", r.version());
            assertEquals(NginxContainer.HELLO_BODY, r.bodyText());
        }
        AccessLogEntry upstream = nginx.awaitAccessLog(uri(NginxContainer.HELLO + marker), 1, WAIT).get(0);
        assertEquals("HTTP/1.0", upstream.protocol());
        AccessLogEntry client = nginx.awaitAccessLog(
                uri(NginxContainer.HTTP10_PREFIX + NginxContainer.HELLO + marker), 1, WAIT).get(0);
        assertEquals("HTTP/1.1", client.protocol());
    }

    @Test
    void stubStatusCountsOpenConnections() throws Exception {
        try (RawHttpConnection a = RawHttpConnection.open(nginx); RawHttpConnection b = RawHttpConnection.open(nginx)) {
            a.get(NginxContainer.HELLO);
            b.get(NginxContainer.HELLO);
            // Connections left by other tests (the JDK client's) close within KEEPALIVE_TIMEOUT.
            nginx.awaitActiveConnections(2, WAIT);
        }
        nginx.awaitActiveConnections(0, WAIT);
    }

    @Test
    void pausedServerAcceptsButAnswersNothingUntilUnpaused() throws Exception {
        try (RawHttpConnection conn = RawHttpConnection.open(nginx)) {
            nginx.pause();
            try {
                assertTrue(nginx.isPaused());
                conn.send("GET", NginxContainer.HELLO, null);
                conn.readTimeout(Duration.ofMillis(300));
                assertThrows(SocketTimeoutException.class, conn::readResponse);
                // The kernel still completes handshakes on the listening socket of a frozen server.
                try (RawHttpConnection another = RawHttpConnection.open(nginx)) {
                    assertFalse(another.awaitServerClose(Duration.ofMillis(100)));
                }
            } finally {
                nginx.unpause();
            }
            assertFalse(nginx.isPaused());
            conn.readTimeout(WAIT);
            assertEquals(200, conn.readResponse().status());
        }
    }

    @Test
    void haproxyForwardsToNginxAndLogsTheRequest() throws Exception {
        HttpResponse<String> r = jdkClient.send(
                HttpRequest.newBuilder(haproxy.uri(NginxContainer.HELLO + "?via-haproxy")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertEquals(NginxContainer.HELLO_BODY, r.body());
        Poll.until(haproxy::requestLog, lines -> lines.stream().anyMatch(l -> l.contains("GET /hello?via-haproxy")),
                WAIT, "haproxy's log line");
        backend.awaitAccessLog(uri(NginxContainer.HELLO + "?via-haproxy"), 1, WAIT);
    }

    @Test
    void haproxyClosesAnIdleClientConnectionAfterHttpKeepAliveTimeout() throws Exception {
        try (RawHttpConnection conn = RawHttpConnection.open(haproxy)) {
            RawResponse r = conn.get(NginxContainer.delay(Duration.ofMillis(100)));
            assertEquals(200, r.status());
            long start = System.nanoTime();
            assertTrue(conn.awaitServerClose(WAIT), "haproxy closes an idle client connection");
            assertElapsedAtLeast(start, HAPROXY_KEEPALIVE_TIMEOUT.minus(TIMER_SLACK));
        }
    }

    @Test
    void missingImageFailsFastWithTheSetupHint() {
        try (GenericContainer<?> missing = new GenericContainer<>("local/keepwell-missing:never")
                .withImagePullPolicy(new NeverPullPolicy())) {
            RuntimeException e = assertThrows(RuntimeException.class, missing::start);
            assertTrue(causes(e).stream().anyMatch(t -> String.valueOf(t.getMessage()).contains("setup-docker.sh")),
                    "hint in " + causes(e));
        }
    }

    @Test
    void serverThatExitsFailsTheStartWithItsOutput() {
        long start = System.nanoTime();
        try (BrokenServer broken = new BrokenServer("not an nginx directive;", "nginx -e stderr -c " + LoopbackServerContainer.CONFIG_FILE)) {
            RuntimeException e = assertThrows(RuntimeException.class, broken::start);
            ServerExitedException exited = exitedCause(e);
            assertTrue(exited.logs().contains("[emerg]"), exited.logs());
            assertEquals(1, broken.starts.get());
        }
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos(), "fails fast");
    }

    @Test
    void lostPortRaceIsRetriedWithANewPort() {
        // A server that reports a taken port exits the way nginx does when another process wins the race.
        try (BrokenServer unlucky = new BrokenServer("",
                "sh -c \"echo 'bind() to 127.0.0.1 failed (98: Address already in use)' >&2; exit 1\"")) {
            RuntimeException e = assertThrows(RuntimeException.class, unlucky::start);
            assertTrue(exitedCause(e).lostPortRace());
            assertEquals(3, unlucky.starts.get(), "attempts");
        }
    }

    /** A server whose config and command the test chooses, counting its start attempts. */
    private static final class BrokenServer extends LoopbackServerContainer<BrokenServer> {
        final AtomicInteger starts = new AtomicInteger();
        private final String config;
        private final String command;

        BrokenServer(String config, String command) {
            this.config = config;
            this.command = command;
        }

        @Override
        protected void configure() {
            starts.incrementAndGet();
            super.configure();
        }

        @Override
        protected String renderConfig(int port) {
            return config;
        }

        @Override
        protected String serverCommand() {
            return command;
        }
    }

    private static Predicate<AccessLogEntry> uri(String uri) {
        return e -> e.uri().equals(uri);
    }

    private static void assertElapsedAtLeast(long startNanos, Duration min) {
        long elapsed = System.nanoTime() - startNanos;
        assertTrue(elapsed >= min.toNanos(), "took " + elapsed / 1_000_000 + " ms, expected at least " + min.toMillis() + " ms");
    }

    private static ServerExitedException exitedCause(Throwable e) {
        return causes(e).stream().filter(ServerExitedException.class::isInstance)
                .map(ServerExitedException.class::cast).findFirst()
                .orElseGet(() -> fail("no ServerExitedException in " + causes(e)));
    }

    private static List<Throwable> causes(Throwable e) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = e; t != null && !chain.contains(t); t = t.getCause()) {
            chain.add(t);
        }
        return chain;
    }
}
