package io.keepwell.it.basic;

import io.keepwell.http.ClientClosedException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import io.keepwell.it.support.Actions;
import io.keepwell.it.support.ScriptedServer;
import io.keepwell.it.support.Witnesses;
import io.keepwell.netty.KeepwellHttpClient;
import io.keepwell.pool.PoolConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Closing a client with work in flight: nothing hangs, nothing stays open. */
class CloseTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void inFlightAndWaitingRequestsFailTypedWhenTheClientCloses() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        try (ScriptedServer server = ScriptedServer.start(r -> Actions.holdUntil(never, WAIT.toMillis(), Actions.ok("x")))) {
            KeepwellHttpClient client = KeepwellHttpClient.newBuilder().eventLoopThreads(1)
                    .pool(PoolConfig.builder().maxConnectionsPerHost(1).build()).build();
            CompletableFuture<HttpResponse<String>> inFlight = client.sendAsync(HttpRequest.newBuilder(server.uri("/a")).build(), HttpResponse.BodyHandlers.ofString());
            Witnesses.awaitCondition(WAIT, () -> server.requestCount() == 1, () -> "request not arrived");
            CompletableFuture<HttpResponse<String>> waiting = client.sendAsync(HttpRequest.newBuilder(server.uri("/b")).build(), HttpResponse.BodyHandlers.ofString());
            Witnesses.awaitCondition(WAIT, () -> client.poolStats().pending() == 1, () -> client.poolStats().toString());
            client.closeAsync().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            for (CompletableFuture<HttpResponse<String>> f : java.util.List.of(inFlight, waiting)) {
                ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(WAIT.toSeconds(), TimeUnit.SECONDS));
                assertInstanceOf(ClientClosedException.class, e.getCause());
            }
            assertEquals(0, client.poolStats().open());
            assertEquals(0, client.openChannels());
            never.countDown(); // lets the server's connection thread notice the close
            Witnesses.awaitCondition(WAIT, () -> server.openConnections() == 0, () -> "server still sees a connection");
        }
    }

    @Test
    void closeRefusesToBlockAnIoThread() throws Exception {
        // The response waits until the callback is registered, so it completes (and runs the
        // callback) on the client's I/O thread rather than on this one.
        CountDownLatch registered = new CountDownLatch(1);
        try (ScriptedServer server = ScriptedServer.start(r -> Actions.holdUntil(registered, WAIT.toMillis(), Actions.ok("x")))) {
            KeepwellHttpClient client = KeepwellHttpClient.newBuilder().eventLoopThreads(1).build();
            try {
                CompletableFuture<Void> closedFromIoThread = client.sendAsync(HttpRequest.newBuilder(server.uri("/")).build(),
                        HttpResponse.BodyHandlers.ofString()).thenAccept(response -> client.close());
                registered.countDown();
                ExecutionException e = assertThrows(ExecutionException.class, () -> closedFromIoThread.get(WAIT.toSeconds(), TimeUnit.SECONDS));
                assertInstanceOf(IllegalStateException.class, e.getCause());
            } finally {
                client.close();
            }
            assertEquals(0, client.openChannels());
        }
    }
}
