package io.keepwell.it.basic;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import io.keepwell.it.support.Actions;
import io.keepwell.it.support.ClientLeakCheck;
import io.keepwell.it.support.ScriptedServer;
import io.keepwell.it.support.ScriptedServers;
import io.keepwell.netty.KeepwellHttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A dependent stage runs on the client's I/O thread; waiting there on another request's future
 * used to hang the client for good (one I/O thread: the thread that must complete the future is
 * the one waiting). It fails at once with an IllegalStateException that says why, and the client
 * keeps working.
 */
class BlockingOnIoThreadTest {

    @RegisterExtension
    final ScriptedServers servers = new ScriptedServers();

    @RegisterExtension
    final ClientLeakCheck clients = new ClientLeakCheck();

    @Test
    void waitingOnAFutureOfTheClientFromItsIoThreadFailsAtOnceAndTheClientKeepsWorking() throws Exception {
        // The first request of each round is held until its stage is attached, so the stage runs on
        // the I/O thread that completes it (attached to a done future it would run on this thread).
        java.util.concurrent.atomic.AtomicReference<java.util.concurrent.CountDownLatch> gate = new java.util.concurrent.atomic.AtomicReference<>();
        ScriptedServer server = servers.start(r -> r.target().startsWith("/held")
                ? Actions.holdUntil(gate.get(), 10_000, Actions.ok("hi")) : Actions.ok("hi"));
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1));
        HttpRequest request = HttpRequest.newBuilder(server.uri("/x")).build();
        List<Consumer<CompletableFuture<HttpResponse<String>>>> waits = List.of(
                CompletableFuture::join,
                f -> {
                    try {
                        f.get();
                    } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
                        throw new AssertionError(e);
                    }
                },
                f -> {
                    try {
                        f.get(5, TimeUnit.SECONDS);
                    } catch (InterruptedException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                        throw new AssertionError(e);
                    }
                },
                f -> f.thenApply(HttpResponse::body).join(), // a derived stage is guarded too
                f -> {
                    try {
                        client.send(request, HttpResponse.BodyHandlers.ofString()); // the blocking send itself
                    } catch (java.io.IOException | InterruptedException e) {
                        throw new AssertionError(e);
                    }
                });
        for (Consumer<CompletableFuture<HttpResponse<String>>> wait : waits) {
            gate.set(new java.util.concurrent.CountDownLatch(1));
            CompletableFuture<Throwable> refused = client.sendAsync(HttpRequest.newBuilder(server.uri("/held")).build(),
                            HttpResponse.BodyHandlers.ofString())
                    .thenApply(first -> {
                        assertTrue(Thread.currentThread().getName().contains("keepwell"), Thread.currentThread().getName());
                        try {
                            wait.accept(client.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
                            return null;
                        } catch (IllegalStateException e) {
                            return e;
                        }
                    });
            gate.get().countDown();
            Throwable e = refused.get(10, TimeUnit.SECONDS);
            assertNotNull(e, "waiting on the I/O thread must fail at once");
            assertTrue(e.getMessage().contains("I/O thread"), e.getMessage());
        }
        HttpResponse<String> later = client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).get(10, TimeUnit.SECONDS);
        assertEquals("hi", later.body());
        assertNull(client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(r -> null).get(10, TimeUnit.SECONDS),
                "waiting from any other thread is untouched");
    }

    /** With an executor, futures complete there: a stage that waits on another exchange is allowed, and works. */
    @Test
    void withAnExecutorStagesRunThereAndMayWait() throws Exception {
        ScriptedServer server = servers.start(r -> Actions.ok("hi " + r.target()));
        java.util.concurrent.ExecutorService executor = java.util.concurrent.Executors.newFixedThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "caller-executor");
            thread.setDaemon(true);
            return thread;
        });
        try {
            KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1).executor(executor));
            assertEquals(executor, client.executor().orElseThrow());
            String both = client.sendAsync(HttpRequest.newBuilder(server.uri("/a")).build(), HttpResponse.BodyHandlers.ofString())
                    .thenApply(first -> {
                        assertEquals("caller-executor", Thread.currentThread().getName());
                        return first.body() + ", " + client.sendAsync(HttpRequest.newBuilder(server.uri("/b")).build(),
                                HttpResponse.BodyHandlers.ofString()).join().body();
                    })
                    .get(10, TimeUnit.SECONDS);
            assertEquals("hi /a, hi /b", both);
        } finally {
            executor.shutdownNow();
        }
    }

    /** An executor that refuses the hand-over (shut down) must not leave the caller waiting: the future completes anyway. */
    @Test
    void anExecutorThatRefusesStillCompletesTheFuture() throws Exception {
        ScriptedServer server = servers.start(r -> Actions.ok("hi"));
        java.util.concurrent.ExecutorService executor = java.util.concurrent.Executors.newSingleThreadExecutor();
        executor.shutdown();
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1).executor(executor));
        assertEquals("hi", client.sendAsync(HttpRequest.newBuilder(server.uri("/x")).build(), HttpResponse.BodyHandlers.ofString())
                .get(10, TimeUnit.SECONDS).body());
    }
}
