package io.keepwell.it.soak;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import io.keepwell.it.support.Actions;
import io.keepwell.it.support.ClientLeakCheck;
import io.keepwell.it.support.ScriptedServer;
import io.keepwell.netty.KeepwellHttpClient;
import io.keepwell.pool.PoolConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.keepwell.it.support.Witnesses.awaitCondition;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bugs the chaos soak ({@link SoakTest}) found, each pinned by a deterministic test named after it. */
class SoakRegressionTest {

    private static final Duration DEADLINE = Duration.ofSeconds(10);

    @RegisterExtension
    final ClientLeakCheck clients = new ClientLeakCheck();

    /**
     * The server answers the first request and, in the same write, sends a 408 (as a server that
     * times the connection out right after answering). A second request is queued behind the
     * host's cap of one connection. The connection was handed to that waiter from inside the read
     * that completed the first response, and its request was written before the decoder reached
     * the 408 that was already buffered: the second request got the stale 408 as its response.
     * Bytes received before a request was sent can never be its response; the connection must
     * close as unsolicited and the waiter must get another one.
     */
    @Test
    void waiterHandedAConnectionInsideTheResponsesLastReadDoesNotGetTheStaleBytesThatFollowedIt() throws Exception {
        CountDownLatch secondQueued = new CountDownLatch(1);
        String firstWithStale408 = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst"
                + "HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        try (ScriptedServer server = ScriptedServer.start(request -> request.target().equals("/first")
                ? Actions.holdUntil(secondQueued, DEADLINE.toMillis(), Actions.raw(firstWithStale408))
                : Actions.ok("second"))) {
            KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1).maxRetries(1)
                    .pool(PoolConfig.builder().maxConnectionsPerHost(1).build()));
            CompletableFuture<HttpResponse<String>> first = client.sendAsync(
                    HttpRequest.newBuilder(server.uri("/first")).build(), HttpResponse.BodyHandlers.ofString());
            awaitCondition(DEADLINE, () -> server.requestCount() == 1, () -> "first request not at the server");
            CompletableFuture<HttpResponse<String>> second = client.sendAsync(
                    HttpRequest.newBuilder(server.uri("/second")).build(), HttpResponse.BodyHandlers.ofString());
            awaitCondition(DEADLINE, () -> client.poolStats().pending() == 1, () -> "second not queued: " + client.poolStats());
            secondQueued.countDown();

            assertEquals("first", first.get(DEADLINE.toSeconds(), TimeUnit.SECONDS).body());
            HttpResponse<String> response = second.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            assertEquals(200, response.statusCode(), "the second request got the stale bytes as its response");
            assertEquals("second", response.body());
            assertTrue(server.requests().stream().noneMatch(r -> r.connectionId() == 1 && r.indexOnConnection() > 0),
                    () -> "a request was sent on the connection holding stale bytes: " + server.requests());
        }
    }
}
