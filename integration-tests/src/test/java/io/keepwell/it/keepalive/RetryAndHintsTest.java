package io.keepwell.it.keepalive;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import io.keepwell.http.PrematureCloseException;
import io.keepwell.it.support.Actions;
import io.keepwell.it.support.ClientLeakCheck;
import io.keepwell.it.support.ScriptedServer;
import io.keepwell.it.support.ScriptedServers;
import io.keepwell.it.support.Witnesses;
import io.keepwell.netty.KeepwellHttpClient;
import io.keepwell.pool.CloseReason;
import io.keepwell.pool.PoolConfig;
import io.keepwell.pool.PoolKey;
import io.keepwell.pool.PoolListener;
import io.keepwell.pool.RefuseReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Safe retry on reused connections, server keep-alive hints, and the idle timer, over loopback. */
class RetryAndHintsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    final ScriptedServers servers = new ScriptedServers();

    @RegisterExtension
    final ClientLeakCheck clients = new ClientLeakCheck();

    private ScriptedServer server;


    /** The second request on each connection is read, then the server closes without answering. */
    private static ScriptedServer.Script closesAfterReadingTheSecondRequest() {
        return r -> r.indexOnConnection() == 1 ? Actions.close() : Actions.ok("ok " + r.method());
    }

    private <T> HttpResponse<T> send(KeepwellHttpClient client, HttpRequest request, HttpResponse.BodyHandler<T> handler) throws Exception {
        return client.sendAsync(request, handler).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    /**
     * Issue 10 item 11: against a server that closes every connection right after each complete
     * response (without Connection: close), 3-7 of 500 GETs from 20 workers failed: the one retry
     * landed on another connection that was already dead. As in Go, a failure on a reused
     * connection before any response byte is retried again; the stale connections run out.
     */
    @Test
    void everyGetSucceedsAgainstAServerThatClosesEachConnectionAfterItsResponse() throws Exception {
        server = servers.start(r -> Actions.rawThenClose("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(2));
        int workers = 20;
        int perWorker = 25;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(workers);
        try {
            java.util.List<java.util.concurrent.Future<java.util.List<Throwable>>> results = new java.util.ArrayList<>();
            for (int w = 0; w < workers; w++) {
                int worker = w;
                results.add(pool.submit(() -> {
                    java.util.List<Throwable> failures = new java.util.ArrayList<>();
                    for (int i = 0; i < perWorker; i++) {
                        try {
                            HttpResponse<String> r = send(client, HttpRequest.newBuilder(server.uri("/w" + worker + "/" + i)).build(),
                                    HttpResponse.BodyHandlers.ofString());
                            assertEquals("ok", r.body());
                        } catch (ExecutionException e) {
                            failures.add(e.getCause());
                        } catch (java.util.concurrent.TimeoutException e) {
                            failures.add(new AssertionError("no answer in " + WAIT + ": " + client.poolStats(), e));
                        }
                    }
                    return failures;
                }));
            }
            java.util.List<Throwable> failures = new java.util.ArrayList<>();
            for (var result : results) {
                failures.addAll(result.get(60, TimeUnit.SECONDS));
            }
            assertEquals(java.util.List.of(), failures, failures.size() + " of " + workers * perWorker + " GETs failed; "
                    + client.poolStats());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void getIsRetriedOnAFreshConnectionWhenTheReusedOneDiesBeforeTheResponse() throws Exception {
        server = servers.start(closesAfterReadingTheSecondRequest());
        AtomicInteger retriesHeard = new AtomicInteger();
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1)
                .poolListener(new PoolListener() {
                    @Override
                    public void requestRetried(PoolKey key, String method, int attempt, Throwable cause) {
                        retriesHeard.incrementAndGet();
                    }
                }));
        send(client, HttpRequest.newBuilder(server.uri("/a")).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> second = send(client, HttpRequest.newBuilder(server.uri("/b")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals("ok GET", second.body());
        assertEquals(1, client.poolStats().retried());
        assertEquals(1, retriesHeard.get());
        assertEquals(2, server.acceptedConnections());
    }

    @Test
    void postWhoseBytesWereWrittenIsNeverSentTwice() throws Exception {
        server = servers.start(closesAfterReadingTheSecondRequest());
        KeepwellHttpClient client = clients.newClient();
        send(client, HttpRequest.newBuilder(server.uri("/warm")).build(), HttpResponse.BodyHandlers.ofString());
        CompletableFuture<HttpResponse<String>> post = client.sendAsync(HttpRequest.newBuilder(server.uri("/pay"))
                .POST(HttpRequest.BodyPublishers.ofString("once")).build(), HttpResponse.BodyHandlers.ofString());
        ExecutionException e = assertThrows(ExecutionException.class, () -> post.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        PrematureCloseException premature = assertInstanceOf(PrematureCloseException.class, e.getCause());
        assertEquals(PrematureCloseException.Phase.BEFORE_RESPONSE, premature.phase());
        assertTrue(premature.reused());
        assertTrue(premature.bytesWritten() > 0, "bytes written: " + premature.bytesWritten());
        assertEquals(0, client.poolStats().retried());
        assertEquals(1, server.requests().stream().filter(r -> r.target().equals("/pay")).count(), "the server saw the POST once");
    }

    @Test
    void postWithAnIdempotencyKeyIsRetried() throws Exception {
        server = servers.start(closesAfterReadingTheSecondRequest());
        KeepwellHttpClient client = clients.newClient();
        send(client, HttpRequest.newBuilder(server.uri("/warm")).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> r = send(client, HttpRequest.newBuilder(server.uri("/pay")).header("Idempotency-Key", "k1")
                .POST(HttpRequest.BodyPublishers.ofString("once")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals("ok POST", r.body());
        assertEquals(1, client.poolStats().retried());
    }

    @Test
    void retryCanBeTurnedOff() throws Exception {
        server = servers.start(closesAfterReadingTheSecondRequest());
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1).maxRetries(0));
        send(client, HttpRequest.newBuilder(server.uri("/a")).build(), HttpResponse.BodyHandlers.ofString());
        CompletableFuture<HttpResponse<String>> f = client.sendAsync(HttpRequest.newBuilder(server.uri("/b")).build(), HttpResponse.BodyHandlers.ofString());
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertInstanceOf(PrematureCloseException.class, e.getCause());
        assertEquals(0, client.poolStats().retried());
    }

    @Test
    void aFreshConnectionThatFailsIsNotRetried() throws Exception {
        server = servers.start(r -> Actions.close());
        KeepwellHttpClient client = clients.newClient();
        CompletableFuture<HttpResponse<String>> f = client.sendAsync(HttpRequest.newBuilder(server.uri("/a")).build(), HttpResponse.BodyHandlers.ofString());
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertEquals(false, assertInstanceOf(PrematureCloseException.class, e.getCause()).reused());
        assertEquals(1, server.requestCount());
    }

    @Test
    void keepAliveMaxZeroMeansTheConnectionIsNotReused() throws Exception {
        server = servers.start(r -> Actions.respond(200, "x", "Keep-Alive: timeout=5, max=0\r\n"));
        KeepwellHttpClient client = clients.newClient();
        send(client, HttpRequest.newBuilder(server.uri("/a")).build(), HttpResponse.BodyHandlers.ofString());
        send(client, HttpRequest.newBuilder(server.uri("/b")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(2, server.acceptedConnections());
        assertEquals(2, client.poolStats().refused(RefuseReason.NOT_REUSABLE));
    }

    @Test
    void keepAliveTimeoutShortensTheIdleDeadline() throws Exception {
        server = servers.start(r -> Actions.respond(200, "x", "Keep-Alive: timeout=2\r\n")); // kept 1 s: the hint less its margin
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1)
                .pool(PoolConfig.builder().idleTimeout(Duration.ofMinutes(5)).build()));
        send(client, HttpRequest.newBuilder(server.uri("/a")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(1, client.poolStats().idle());
        Witnesses.awaitCondition(WAIT, () -> client.poolStats().closedBy(CloseReason.IDLE_TIMEOUT) == 1, () -> client.poolStats().toString());
        assertEquals(0, client.poolStats().open());
    }

    @Test
    void nonsenseKeepAliveValuesAreIgnored() throws Exception {
        server = servers.start(r -> Actions.respond(200, "x", "Keep-Alive: timeout=-3, max=lots\r\n"));
        KeepwellHttpClient client = clients.newClient();
        send(client, HttpRequest.newBuilder(server.uri("/a")).build(), HttpResponse.BodyHandlers.ofString());
        send(client, HttpRequest.newBuilder(server.uri("/b")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(1, server.acceptedConnections());
    }

    @Test
    void idleTimerClosesAConnectionAtTheClientsIdleTimeout() throws Exception {
        server = servers.start(r -> Actions.ok("x"));
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1)
                .pool(PoolConfig.builder().idleTimeout(Duration.ofMillis(300)).build()));
        send(client, HttpRequest.newBuilder(server.uri("/a")).build(), HttpResponse.BodyHandlers.ofString());
        Witnesses.awaitCondition(WAIT, () -> client.poolStats().closedBy(CloseReason.IDLE_TIMEOUT) == 1, () -> client.poolStats().toString());
        Witnesses.awaitCondition(WAIT, () -> server.openConnections() == 0, () -> "server still sees the idle connection");
    }
}
