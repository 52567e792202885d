package io.keepwell.it.realserver;

import static io.keepwell.it.support.Http2Servers.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.keepwell.it.support.AccessLogEntry;
import io.keepwell.it.support.ClientLeakCheck;
import io.keepwell.it.support.Http2Servers;
import io.keepwell.it.support.NginxContainer;
import io.keepwell.it.support.RequiresDocker;
import io.keepwell.it.support.TestCertificates;
import io.keepwell.it.support.Witnesses;
import io.keepwell.netty.KeepwellHttpClient;
import io.keepwell.pool.CloseReason;
import io.keepwell.pool.PoolStats;
import io.keepwell.pool.RefuseReason;
import java.net.http.HttpClient.Version;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * Real GOAWAYs: nginx 1.22 over h2 with {@code keepalive_requests 5} sends GOAWAY once a connection
 * has opened five streams (the fifth still completes, later ones are not processed), and with a
 * short {@code keepalive_timeout} it sends GOAWAY and closes a connection left without streams.
 * No request may fail or be served twice; every connection closes once.
 */
@RequiresDocker
@Testcontainers(parallel = true)
class RealServerHttp2GoAwayTest {

    private static final TestCertificates CERTIFICATES = Http2Servers.loopbackCertificates();
    private static final int KEEPALIVE_REQUESTS = 5;
    private static final int REQUESTS = 20;
    private static final Duration KEEPALIVE_TIMEOUT = Duration.ofMillis(500);
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Container
    static final NginxContainer fiveStreams = new NginxContainer().withTls(CERTIFICATES).withHttp2()
            .withKeepaliveRequests(KEEPALIVE_REQUESTS);

    @Container
    static final NginxContainer shortIdle = new NginxContainer().withTls(CERTIFICATES).withHttp2()
            .withKeepaliveTimeout(KEEPALIVE_TIMEOUT);

    @Container
    static final NginxContainer twoStreams = new NginxContainer().withTls(CERTIFICATES).withHttp2().withKeepaliveRequests(2);

    @Container
    static final NginxContainer reloaded = new NginxContainer().withTls(CERTIFICATES).withHttp2();

    @RegisterExtension
    final ClientLeakCheck leaks = new ClientLeakCheck();

    @Test
    void sequentialRequestsMoveToANewConnectionAfterEachGoAway() throws Exception {
        KeepwellHttpClient client = leaks.newClient(Http2Servers.trusting(CERTIFICATES));
        for (int i = 0; i < REQUESTS; i++) {
            HttpResponse<String> r = send(client, get("seq", i), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), "request " + i);
            assertEquals(Version.HTTP_2, r.version(), "request " + i);
            assertEquals(NginxContainer.HELLO_BODY, r.body(), "request " + i);
        }
        // A GOAWAY'd connection closes once its last stream ended; let the last one finish closing.
        Witnesses.awaitCondition(WAIT, () -> client.poolStats().closed() >= REQUESTS / KEEPALIVE_REQUESTS,
                () -> "connections closed: " + client.poolStats());
        PoolStats stats = client.poolStats();
        assertEquals(REQUESTS / KEEPALIVE_REQUESTS, stats.opened(), "one connection per five streams: " + stats);
        assertEquals(stats.opened(), stats.closedBy(CloseReason.GOAWAY), "each closed once, after its GOAWAY: " + stats);
        assertEquals(stats.opened() - stats.open(), stats.closed(), "no connection closed twice: " + stats);
        assertTrue(stats.refused(RefuseReason.GOAWAY_RECEIVED) > 0, "refused at their last stream's end: " + stats);
        Map<Long, Long> perConnection = checkAccessLog("seq");
        assertEquals(stats.opened(), perConnection.size(), "nginx's connections vs opened: " + stats);
        assertTrue(perConnection.values().stream().allMatch(n -> n == KEEPALIVE_REQUESTS), "five per connection: " + perConnection);
    }

    /**
     * Twenty requests at once on a connection that takes five streams: nginx processes five and
     * drops the rest above its GOAWAY's last-stream-id; those are retried on new connections.
     */
    @Test
    void concurrentRequestsBeyondTheGoAwayAreRetriedElsewhere() throws Exception {
        KeepwellHttpClient client = leaks.newClient(Http2Servers.trusting(CERTIFICATES));
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            all.add(client.sendAsync(get("conc", i), HttpResponse.BodyHandlers.ofString()));
        }
        for (int i = 0; i < REQUESTS; i++) {
            HttpResponse<String> r = all.get(i).get(30, TimeUnit.SECONDS);
            assertEquals(200, r.statusCode(), "request " + i);
            assertEquals(Version.HTTP_2, r.version(), "request " + i);
            assertEquals(NginxContainer.HELLO_BODY, r.body(), "request " + i);
        }
        Witnesses.awaitCondition(WAIT, () -> client.poolStats().closed() >= REQUESTS / KEEPALIVE_REQUESTS,
                () -> "connections closed: " + client.poolStats());
        PoolStats stats = client.poolStats();
        // All twenty wait for the first connection's settings and go on it; the fifteen nginx drops
        // are retried together on the next one, and so on: four connections, five streams each.
        assertEquals(REQUESTS / KEEPALIVE_REQUESTS, stats.opened(), "one connection per five streams: " + stats);
        assertEquals(stats.opened(), stats.closedBy(CloseReason.GOAWAY), "each closed once, after its GOAWAY: " + stats);
        assertTrue(stats.retried() >= REQUESTS - KEEPALIVE_REQUESTS, "the streams above the first GOAWAY were retried: " + stats);
        assertEquals(stats.opened() - stats.open(), stats.closed(), "no connection closed twice: " + stats);
        Map<Long, Long> perConnection = checkAccessLog("conc");
        assertEquals(stats.opened(), perConnection.size(), "nginx's connections vs opened: " + stats);
    }

    /** nginx closes an h2 connection without streams after keepalive_timeout, with a GOAWAY first. */
    @Test
    void anIdleConnectionTheServerClosesIsReplacedWithoutAFailure() throws Exception {
        KeepwellHttpClient client = leaks.newClient(Http2Servers.trusting(CERTIFICATES));
        HttpResponse<String> first = send(client, HttpRequest.newBuilder(shortIdle.uri(NginxContainer.HELLO + "?idle=1")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(Version.HTTP_2, first.version());
        Witnesses.awaitCondition(WAIT, () -> client.poolStats().closed() == 1 && client.poolStats().open() == 0,
                () -> "nginx's idle close not seen: " + client.poolStats());
        assertEquals(1, client.poolStats().closedBy(CloseReason.GOAWAY), "closed after nginx's GOAWAY: " + client.poolStats());
        HttpResponse<String> second = send(client, HttpRequest.newBuilder(shortIdle.uri(NginxContainer.HELLO + "?idle=2")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(Version.HTTP_2, second.version());
        assertEquals(NginxContainer.HELLO_BODY, second.body());
        PoolStats stats = client.poolStats();
        assertEquals(2, stats.opened(), "a new connection for the second request: " + stats);
        assertEquals(0, stats.retried(), "nothing was sent on the closed connection: " + stats);
    }

    /** A slow stream open when the GOAWAY comes is below its last-stream-id: it completes, then the connection closes. */
    @Test
    void aStreamInFlightAtTheGoAwayCompletes() throws Exception {
        KeepwellHttpClient client = leaks.newClient(Http2Servers.trusting(CERTIFICATES));
        CompletableFuture<HttpResponse<String>> slow = client.sendAsync(
                HttpRequest.newBuilder(twoStreams.uri(NginxContainer.delay(Duration.ofSeconds(1)) + "&inflight=slow")).build(),
                HttpResponse.BodyHandlers.ofString());
        Witnesses.awaitCondition(WAIT, () -> client.poolStats().streams() == 1, () -> "the slow stream: " + client.poolStats());
        HttpResponse<String> second = send(client, HttpRequest.newBuilder(twoStreams.uri(NginxContainer.HELLO + "?inflight=second")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(NginxContainer.HELLO_BODY, second.body());
        assertFalse(slow.isDone(), "the slow stream is still running");
        assertEquals("delayed\n", slow.get(20, TimeUnit.SECONDS).body());
        Witnesses.awaitCondition(WAIT, () -> client.poolStats().closed() == 1, () -> "closed after its last stream: " + client.poolStats());
        PoolStats stats = client.poolStats();
        assertEquals(1, stats.opened(), "both on one connection: " + stats);
        assertEquals(1, stats.closedBy(CloseReason.GOAWAY), "closed after the GOAWAY: " + stats);
    }

    /** With a short drain timeout the connection does not wait for the slow stream: it closes and the stream fails. */
    @Test
    void theDrainTimeoutCutsAStreamThatOutlivesIt() throws Exception {
        Duration drain = Duration.ofMillis(300);
        KeepwellHttpClient client = leaks.newClient(Http2Servers.trusting(CERTIFICATES).http2DrainTimeout(drain));
        CompletableFuture<HttpResponse<String>> slow = client.sendAsync(
                HttpRequest.newBuilder(twoStreams.uri(NginxContainer.delay(Duration.ofSeconds(5)) + "&drain=slow")).build(),
                HttpResponse.BodyHandlers.ofString());
        Witnesses.awaitCondition(WAIT, () -> client.poolStats().streams() == 1, () -> "the slow stream: " + client.poolStats());
        long goAway = System.nanoTime();
        send(client, HttpRequest.newBuilder(twoStreams.uri(NginxContainer.HELLO + "?drain=second")).build(), HttpResponse.BodyHandlers.ofString());
        ExecutionException failed = assertThrows(ExecutionException.class, () -> slow.get(20, TimeUnit.SECONDS));
        Duration after = Duration.ofNanos(System.nanoTime() - goAway);
        assertInstanceOf(java.io.IOException.class, failed.getCause(), "the cut stream fails with an IOException");
        assertTrue(after.compareTo(Duration.ofSeconds(3)) < 0, "cut at the drain timeout, not at the stream's end: " + after);
        Witnesses.awaitCondition(WAIT, () -> client.poolStats().closed() == 1, () -> "closed: " + client.poolStats());
        assertEquals(1, client.poolStats().closedBy(CloseReason.GOAWAY), "closed as drained after GOAWAY: " + client.poolStats());
    }

    /**
     * {@code nginx -s reload} with a slow stream open: the old worker lets it finish, ends the
     * connection with GOAWAY, and the next request goes to a new worker on a new connection.
     */
    @Test
    void aReloadDrainsTheOldConnectionAndTheNextRequestGetsANewOne() throws Exception {
        KeepwellHttpClient client = leaks.newClient(Http2Servers.trusting(CERTIFICATES));
        assertEquals(Version.HTTP_2, send(client, HttpRequest.newBuilder(reloaded.uri(NginxContainer.HELLO + "?reload=before")).build(),
                HttpResponse.BodyHandlers.ofString()).version());
        CompletableFuture<HttpResponse<String>> slow = client.sendAsync(
                HttpRequest.newBuilder(reloaded.uri(NginxContainer.delay(Duration.ofSeconds(1)) + "&reload=slow")).build(),
                HttpResponse.BodyHandlers.ofString());
        Witnesses.awaitCondition(WAIT, () -> client.poolStats().streams() == 1, () -> "the slow stream: " + client.poolStats());
        reloaded.reload();
        assertEquals("delayed\n", slow.get(20, TimeUnit.SECONDS).body(), "the open stream finished on the old worker");
        Witnesses.awaitCondition(WAIT, () -> client.poolStats().closed() == 1, () -> "the old connection closed: " + client.poolStats());
        assertEquals(1, client.poolStats().closedBy(CloseReason.GOAWAY), "closed after the old worker's GOAWAY: " + client.poolStats());
        HttpResponse<String> after = send(client, HttpRequest.newBuilder(reloaded.uri(NginxContainer.HELLO + "?reload=after")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(NginxContainer.HELLO_BODY, after.body());
        PoolStats stats = client.poolStats();
        assertEquals(2, stats.opened(), "a new connection after the reload: " + stats);
        assertEquals(0, stats.retried(), "nothing was sent after the GOAWAY on the old one: " + stats);
    }

    private static HttpRequest get(String marker, int i) {
        return HttpRequest.newBuilder(fiveStreams.uri(NginxContainer.HELLO + "?" + marker + "=" + i)).GET().build();
    }

    /** Every request served exactly once, at most five per connection; returns requests per connection. */
    private static Map<Long, Long> checkAccessLog(String marker) throws Exception {
        String prefix = NginxContainer.HELLO + "?" + marker + "=";
        List<AccessLogEntry> log = fiveStreams.awaitAccessLog(e -> e.uri().startsWith(prefix), REQUESTS, WAIT);
        assertEquals(REQUESTS, log.size(), "each request logged once: " + log);
        assertEquals(REQUESTS, log.stream().map(AccessLogEntry::uri).distinct().count(), "no request served twice: " + log);
        assertTrue(log.stream().allMatch(e -> e.protocol().equals("HTTP/2.0")), "protocols: " + log);
        Map<Long, Long> perConnection = log.stream().collect(Collectors.groupingBy(AccessLogEntry::connection, Collectors.counting()));
        assertTrue(perConnection.values().stream().allMatch(n -> n <= KEEPALIVE_REQUESTS), "at most five per connection: " + perConnection);
        return perConnection;
    }
}
