package io.keepwell.it.realserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import io.keepwell.it.support.AccessLogEntry;
import io.keepwell.it.support.ClientLeakCheck;
import io.keepwell.it.support.NginxContainer;
import io.keepwell.it.support.RequiresDocker;
import io.keepwell.netty.KeepwellHttpClient;
import io.keepwell.pool.PoolStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * nginx with {@code keepalive_requests 5}: it answers the fifth request on a connection with
 * {@code Connection: close} and closes. The client must never reuse such a connection, so no
 * request fails, and it opens one connection per five requests (plus, with concurrency, the
 * connections that were busy at the same time). nginx's access log is the independent witness.
 */
@RequiresDocker
@Testcontainers
class RealServerKeepaliveRequestsTest {

    private static final int KEEPALIVE_REQUESTS = 5;
    private static final int REQUESTS = 500;
    private static final int CONCURRENCY = 16;
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Container
    static final NginxContainer nginx = new NginxContainer().withKeepaliveRequests(KEEPALIVE_REQUESTS);

    @RegisterExtension
    final ClientLeakCheck clients = new ClientLeakCheck();

    @Test
    void sequentialRequestsOpenOneConnectionPerKeepaliveRequests() throws Exception {
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1));
        String marker = "seq";
        for (int i = 0; i < REQUESTS; i++) {
            HttpResponse<String> r = send(client, marker, i);
            assertEquals(200, r.statusCode(), "request " + i);
            assertEquals(NginxContainer.HELLO_BODY, r.body(), "request " + i);
        }
        PoolStats stats = client.poolStats();
        assertEquals(REQUESTS / KEEPALIVE_REQUESTS, stats.opened(), "connections opened: " + stats);
        assertEquals(0, stats.retried(), "no request needed a retry: " + stats);
        checkAccessLog(marker, stats, true);
    }

    @Test
    void concurrentRequestsOpenAboutOneConnectionPerKeepaliveRequests() throws Exception {
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(2));
        String marker = "conc";
        AtomicInteger next = new AtomicInteger();
        List<String> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        ExecutorService workers = Executors.newFixedThreadPool(CONCURRENCY);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < CONCURRENCY; w++) {
                done.add(workers.submit(() -> {
                    for (int i = next.getAndIncrement(); i < REQUESTS; i = next.getAndIncrement()) {
                        try {
                            HttpResponse<String> r = send(client, marker, i);
                            if (r.statusCode() != 200 || !NginxContainer.HELLO_BODY.equals(r.body())) {
                                errors.add(i + ": " + r.statusCode() + " " + r.body());
                            }
                        } catch (Exception e) {
                            errors.add(i + ": " + e);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            workers.shutdownNow();
        }
        assertEquals(List.of(), errors, "errors");
        PoolStats stats = client.poolStats();
        long min = REQUESTS / KEEPALIVE_REQUESTS;
        assertTrue(stats.opened() >= min && stats.opened() <= min + CONCURRENCY + 4,
                "connections opened should be in [" + min + ", " + (min + CONCURRENCY + 4) + "]: " + stats);
        assertEquals(0, stats.retried(), "no request needed a retry: " + stats);
        checkAccessLog(marker, stats, false);
    }

    private static HttpResponse<String> send(KeepwellHttpClient client, String marker, int i) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(nginx.uri(NginxContainer.HELLO + "?" + marker + "=" + i)).GET().build();
        return client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).get(10, TimeUnit.SECONDS);
    }

    /** Every request logged once; the log's connections are the client's, none serving more than N. */
    private static void checkAccessLog(String marker, PoolStats stats, boolean fullConnections) throws Exception {
        String prefix = NginxContainer.HELLO + "?" + marker + "=";
        List<AccessLogEntry> entries = nginx.awaitAccessLog(e -> e.uri().startsWith(prefix), REQUESTS, WAIT);
        assertEquals(REQUESTS, entries.size(), "each request logged once");
        assertEquals(REQUESTS, entries.stream().map(AccessLogEntry::uri).distinct().count(), "no request twice");
        Map<Long, Long> perConnection = entries.stream()
                .collect(Collectors.groupingBy(AccessLogEntry::connection, Collectors.counting()));
        assertEquals(stats.opened(), perConnection.size(), "distinct connections in nginx's log vs opened: " + stats);
        assertTrue(entries.stream().allMatch(e -> e.connectionRequests() <= KEEPALIVE_REQUESTS), "at most N per connection");
        if (fullConnections) {
            assertTrue(perConnection.values().stream().allMatch(n -> n == KEEPALIVE_REQUESTS),
                    "every connection served exactly N requests: " + perConnection);
        }
    }
}
