package io.keepwell.it.realserver;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import io.keepwell.http.HttpTimeoutException;
import io.keepwell.http.PrematureCloseException;
import io.keepwell.it.support.ClientLeakCheck;
import io.keepwell.it.support.NginxContainer;
import io.keepwell.it.support.RequiresDocker;
import io.keepwell.netty.KeepwellHttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * nginx is restarted on the same port while requests run: requests in flight fail with typed
 * errors (or are retried), later ones succeed, and the pool keeps no dead connection.
 */
@RequiresDocker
@Testcontainers
class RealServerRestartTest {

    private static final int LANES = 8;

    @Container
    static final NginxContainer nginx = new NginxContainer();

    @RegisterExtension
    final ClientLeakCheck clients = new ClientLeakCheck();

    @Test
    void aRestartUnderLoadFailsOnlyInFlightRequestsTypedAndLeavesNoDeadConnection() throws Exception {
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1)
                .responseHeaderTimeout(Duration.ofSeconds(5)));
        HttpRequest hello = HttpRequest.newBuilder(nginx.uri(NginxContainer.HELLO)).build();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger ok = new AtomicInteger();
        Map<Class<?>, AtomicInteger> failures = new ConcurrentHashMap<>();
        List<Throwable> untyped = new CopyOnWriteArrayList<>();
        List<CompletableFuture<Void>> lanes = new CopyOnWriteArrayList<>();
        for (int i = 0; i < LANES; i++) {
            CompletableFuture<Void> lane = new CompletableFuture<>();
            lanes.add(lane);
            sendLoop(client, hello, running, ok, failures, untyped, lane);
        }
        waitUntil(() -> ok.get() >= 200, Duration.ofSeconds(20), "warm-up requests");
        nginx.restartInPlace(Duration.ofSeconds(20));
        int okAfterRestart = ok.get();
        waitUntil(() -> ok.get() >= okAfterRestart + 200, Duration.ofSeconds(20), "requests after the restart");
        running.set(false);
        CompletableFuture.allOf(lanes.toArray(new CompletableFuture<?>[0])).get(30, TimeUnit.SECONDS);

        assertTrue(untyped.isEmpty(), "untyped failures: " + untyped);
        // Whatever was open before the restart is dead now; the pool must not hand any of it out.
        for (int i = 0; i < 2 * LANES; i++) {
            assertEquals(200, client.sendAsync(hello, HttpResponse.BodyHandlers.ofString()).get(10, TimeUnit.SECONDS).statusCode());
        }
        System.out.println("{\"test\":\"restart-under-load\",\"ok\":" + ok.get() + ",\"failures\":\"" + failures + "\",\"stats\":\""
                + client.poolStats() + "\"}");
        assertTrue(client.poolStats().opened() > LANES, "the restart forced new connections: " + client.poolStats());
    }

    /** One lane: a request, then the next when it completes, until told to stop. */
    private static void sendLoop(KeepwellHttpClient client, HttpRequest request, AtomicBoolean running, AtomicInteger ok,
                                 Map<Class<?>, AtomicInteger> failures, List<Throwable> untyped, CompletableFuture<Void> lane) {
        if (!running.get()) {
            lane.complete(null);
            return;
        }
        client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, error) -> {
            if (error == null) {
                ok.incrementAndGet();
            } else {
                Throwable cause = error instanceof java.util.concurrent.CompletionException ? error.getCause() : error;
                if (cause instanceof PrematureCloseException || cause instanceof ConnectException || cause instanceof HttpTimeoutException) {
                    failures.computeIfAbsent(cause.getClass(), c -> new AtomicInteger()).incrementAndGet();
                } else {
                    untyped.add(cause);
                }
            }
            sendLoop(client, request, running, ok, failures, untyped, lane);
        });
    }

    private static void waitUntil(java.util.function.BooleanSupplier condition, Duration limit, String what) {
        io.keepwell.it.support.Witnesses.awaitCondition(limit, condition, () -> what);
    }
}
