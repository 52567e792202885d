package io.keepwell.it.pool;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import io.keepwell.it.support.Actions;
import io.keepwell.it.support.ClientLeakCheck;
import io.keepwell.it.support.ScriptedServer;
import io.keepwell.it.support.ScriptedServers;
import io.keepwell.it.support.Witnesses;
import io.keepwell.netty.KeepwellHttpClient;
import io.keepwell.pool.AcquireTimeoutException;
import io.keepwell.pool.PoolConfig;
import io.keepwell.pool.PoolExhaustedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** maxConnectionsPerHost with a queue of waiters: late binding, cancellation, timeouts, overflow. */
class WaitersTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    final ScriptedServers servers = new ScriptedServers();

    @RegisterExtension
    final ClientLeakCheck clients = new ClientLeakCheck();

    private ScriptedServer server;


    private KeepwellHttpClient oneConnectionClient(PoolConfig.Builder pool) {
        return clients.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1).pool(pool.maxConnectionsPerHost(1).build()));
    }

    @Test
    void tenConcurrentRequestsThroughOneConnectionAllSucceed() throws Exception {
        AtomicInteger concurrent = new AtomicInteger();
        AtomicInteger maxConcurrent = new AtomicInteger();
        server = servers.start(r -> (request, socket, out) -> {
            maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
            concurrent.decrementAndGet();
            return Actions.ok("n" + r.target()).perform(request, socket, out);
        });
        KeepwellHttpClient client = oneConnectionClient(PoolConfig.builder());
        List<CompletableFuture<HttpResponse<String>>> futures = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            futures.add(client.sendAsync(HttpRequest.newBuilder(server.uri("/" + i)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        for (int i = 0; i < 10; i++) {
            assertEquals("n/" + i, futures.get(i).get(WAIT.toSeconds(), TimeUnit.SECONDS).body());
        }
        assertEquals(1, server.acceptedConnections());
        assertEquals(1, client.poolStats().opened());
        assertEquals(9, client.poolStats().reused());
    }

    @Test
    void waiterTimesOutWithATypedException() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        server = servers.start(r -> Actions.holdUntil(release, WAIT.toMillis(), Actions.ok("late")));
        KeepwellHttpClient client = oneConnectionClient(PoolConfig.builder().acquireTimeout(Duration.ofMillis(200)));
        CompletableFuture<HttpResponse<String>> holder = client.sendAsync(HttpRequest.newBuilder(server.uri("/hold")).build(), HttpResponse.BodyHandlers.ofString());
        Witnesses.awaitCondition(WAIT, () -> server.requestCount() == 1, () -> "first request not arrived");
        CompletableFuture<HttpResponse<String>> waiter = client.sendAsync(HttpRequest.newBuilder(server.uri("/wait")).build(), HttpResponse.BodyHandlers.ofString());
        ExecutionException e = assertThrows(ExecutionException.class, () -> waiter.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        AcquireTimeoutException timeout = assertInstanceOf(AcquireTimeoutException.class, e.getCause());
        assertEquals(1, timeout.maxConnectionsPerHost());
        assertEquals(0, client.poolStats().pending());
        release.countDown();
        assertEquals("late", holder.get(WAIT.toSeconds(), TimeUnit.SECONDS).body());
    }

    @Test
    void cancelledWaiterIsSkippedAndTheConnectionGoesToTheNext() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        server = servers.start(r -> r.target().equals("/hold")
                ? Actions.holdUntil(release, WAIT.toMillis(), Actions.ok("held")) : Actions.ok("next"));
        KeepwellHttpClient client = oneConnectionClient(PoolConfig.builder());
        CompletableFuture<HttpResponse<String>> holder = client.sendAsync(HttpRequest.newBuilder(server.uri("/hold")).build(), HttpResponse.BodyHandlers.ofString());
        Witnesses.awaitCondition(WAIT, () -> server.requestCount() == 1, () -> "first request not arrived");
        CompletableFuture<HttpResponse<String>> cancelled = client.sendAsync(HttpRequest.newBuilder(server.uri("/never")).build(), HttpResponse.BodyHandlers.ofString());
        CompletableFuture<HttpResponse<String>> next = client.sendAsync(HttpRequest.newBuilder(server.uri("/next")).build(), HttpResponse.BodyHandlers.ofString());
        Witnesses.awaitCondition(WAIT, () -> client.poolStats().pending() == 2, () -> client.poolStats().toString());
        assertTrue(cancelled.cancel(true));
        Witnesses.awaitCondition(WAIT, () -> client.poolStats().pending() == 1, () -> client.poolStats().toString());
        release.countDown();
        assertEquals("held", holder.get(WAIT.toSeconds(), TimeUnit.SECONDS).body());
        assertEquals("next", next.get(WAIT.toSeconds(), TimeUnit.SECONDS).body());
        assertTrue(server.requests().stream().noneMatch(r -> r.target().equals("/never")), "a cancelled request was sent");
        assertEquals(1, server.acceptedConnections());
    }

    @Test
    void overflowOfThePendingQueueFailsTyped() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        server = servers.start(r -> Actions.holdUntil(release, WAIT.toMillis(), Actions.ok("x")));
        KeepwellHttpClient client = oneConnectionClient(PoolConfig.builder().maxPendingAcquires(1));
        CompletableFuture<HttpResponse<String>> a = client.sendAsync(HttpRequest.newBuilder(server.uri("/a")).build(), HttpResponse.BodyHandlers.ofString());
        Witnesses.awaitCondition(WAIT, () -> server.requestCount() == 1, () -> "first request not arrived");
        CompletableFuture<HttpResponse<String>> b = client.sendAsync(HttpRequest.newBuilder(server.uri("/b")).build(), HttpResponse.BodyHandlers.ofString());
        CompletableFuture<HttpResponse<String>> c = client.sendAsync(HttpRequest.newBuilder(server.uri("/c")).build(), HttpResponse.BodyHandlers.ofString());
        ExecutionException e = assertThrows(ExecutionException.class, () -> c.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        PoolExhaustedException full = assertInstanceOf(PoolExhaustedException.class, e.getCause());
        assertEquals(1, full.maxPendingAcquires());
        release.countDown();
        a.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        b.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }
}
