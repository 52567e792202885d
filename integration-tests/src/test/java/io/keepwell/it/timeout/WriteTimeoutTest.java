package io.keepwell.it.timeout;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import io.keepwell.http.HttpTimeoutException;
import io.keepwell.it.support.Actions;
import io.keepwell.it.support.ClientLeakCheck;
import io.keepwell.it.support.ScriptedServer;
import io.keepwell.it.support.ScriptedServers;
import io.keepwell.it.support.Witnesses;
import io.keepwell.netty.KeepwellHttpClient;
import io.keepwell.pool.CloseReason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 10 item 5: nothing timed out while a request was written, so a server that never reads or
 * a body publisher that never emits held the future forever. {@code writeTimeout} is a gap: no
 * request byte reaching the socket for that long fails the request with {@code WRITE}.
 */
class WriteTimeoutTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final Duration SHORT = Duration.ofMillis(500);
    private static final int TEN_MB = 10 * 1024 * 1024;

    @RegisterExtension
    final ScriptedServers servers = new ScriptedServers();

    @RegisterExtension
    final ClientLeakCheck clients = new ClientLeakCheck();

    private final ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
    private final List<Socket> held = new CopyOnWriteArrayList<>();
    private ServerSocket neverReads;

    @AfterEach
    void closeServers() throws IOException {
        pacer.shutdownNow();
        for (Socket s : held) {
            s.close();
        }
        if (neverReads != null) {
            neverReads.close();
        }
    }

    private static HttpTimeoutException timeoutOf(CompletableFuture<?> f) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        return assertInstanceOf(HttpTimeoutException.class, e.getCause(), () -> "failure: " + e.getCause());
    }

    /** Accepts connections and never reads from them; a small receive buffer, so the client's writes stall soon. */
    private URI startServerThatNeverReads() throws IOException {
        neverReads = new ServerSocket();
        neverReads.setReceiveBufferSize(8 * 1024);
        neverReads.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread acceptor = new Thread(() -> {
            try {
                while (true) {
                    held.add(neverReads.accept());
                }
            } catch (IOException closed) {
                // the test is over
            }
        }, "never-reads-accept");
        acceptor.setDaemon(true);
        acceptor.start();
        return URI.create("http://127.0.0.1:" + neverReads.getLocalPort() + "/upload");
    }

    @ParameterizedTest(name = "streamed={0}")
    @ValueSource(booleans = {false, true})
    void aServerThatNeverReadsATenMegabytePostFailsItWithWrite(boolean streamed) throws Exception {
        URI uri = startServerThatNeverReads();
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1).writeTimeout(SHORT));
        byte[] body = new byte[TEN_MB];
        HttpRequest.BodyPublisher publisher = streamed
                ? HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))
                : HttpRequest.BodyPublishers.ofByteArray(body);
        long started = System.nanoTime();
        CompletableFuture<HttpResponse<String>> f = client.sendAsync(HttpRequest.newBuilder(uri).POST(publisher).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpTimeoutException e = timeoutOf(f);
        assertEquals(HttpTimeoutException.Phase.WRITE, e.phase());
        assertEquals(SHORT, e.limit());
        assertTrue(System.nanoTime() - started >= SHORT.toNanos(), "failed before the limit");
        Witnesses.awaitCondition(WAIT, () -> client.poolStats().closedBy(CloseReason.TIMEOUT) == 1, () -> client.poolStats().toString());
    }

    @Test
    void aPublisherThatNeverEmitsFailsTheRequestWithWrite() throws Exception {
        ScriptedServer server = servers.start(r -> Actions.ok("got " + r.body().length));
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1).writeTimeout(SHORT));
        AtomicBoolean cancelled = new AtomicBoolean();
        Flow.Publisher<ByteBuffer> silent = subscriber -> subscriber.onSubscribe(new Flow.Subscription() {
            @Override
            public void request(long n) {
            }

            @Override
            public void cancel() {
                cancelled.set(true);
            }
        });
        CompletableFuture<HttpResponse<String>> f = client.sendAsync(HttpRequest.newBuilder(server.uri("/silent"))
                .POST(HttpRequest.BodyPublishers.fromPublisher(silent)).build(), HttpResponse.BodyHandlers.ofString());
        HttpTimeoutException e = timeoutOf(f);
        assertEquals(HttpTimeoutException.Phase.WRITE, e.phase());
        Witnesses.awaitCondition(WAIT, () -> client.poolStats().closedBy(CloseReason.TIMEOUT) == 1, () -> client.poolStats().toString());
        Witnesses.awaitCondition(WAIT, cancelled::get, () -> "the silent publisher's subscription was not cancelled");
        assertEquals("got 2", client.sendAsync(HttpRequest.newBuilder(server.uri("/after")).POST(HttpRequest.BodyPublishers.ofString("ok")).build(),
                HttpResponse.BodyHandlers.ofString()).get(WAIT.toSeconds(), TimeUnit.SECONDS).body(), "the client still works");
    }

    @Test
    void anUploadThatKeepsMovingIsNotCutAlthoughItTakesLongerThanTheLimit() throws Exception {
        ScriptedServer server = servers.start(r -> Actions.ok("got " + r.body().length));
        Duration limit = Duration.ofMillis(400);
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1).writeTimeout(limit));
        int chunks = 10;
        AtomicInteger emitted = new AtomicInteger();
        // One chunk every 100 ms: each gap well under the limit, the whole upload over twice it.
        Flow.Publisher<ByteBuffer> paced = subscriber -> subscriber.onSubscribe(new Flow.Subscription() {
            @Override
            public void request(long n) {
                pacer.schedule(() -> {
                    if (emitted.incrementAndGet() <= chunks) {
                        subscriber.onNext(ByteBuffer.wrap(new byte[100]));
                    } else {
                        subscriber.onComplete();
                    }
                }, 100, TimeUnit.MILLISECONDS);
            }

            @Override
            public void cancel() {
            }
        });
        long started = System.nanoTime();
        HttpResponse<String> r = client.sendAsync(HttpRequest.newBuilder(server.uri("/paced"))
                .POST(HttpRequest.BodyPublishers.fromPublisher(paced)).build(), HttpResponse.BodyHandlers.ofString())
                .get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals("got 1000", r.body());
        assertTrue(System.nanoTime() - started > 2 * limit.toNanos(), "the upload took less than twice the limit; the test proves nothing");
    }

    @Test
    void waitingForOneHundredContinueIsBoundedByItsOwnLimitNotTheWriteTimeout() throws Exception {
        // The server ignores the expectation: it never sends 100 and waits for the body.
        ScriptedServer server = servers.start(r -> Actions.ok("got " + r.body().length));
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1)
                .writeTimeout(Duration.ofMillis(200)).expectContinueTimeout(Duration.ofMillis(800)));
        HttpResponse<String> r = client.sendAsync(HttpRequest.newBuilder(server.uri("/expect")).expectContinue(true)
                .POST(HttpRequest.BodyPublishers.ofString("body")).build(), HttpResponse.BodyHandlers.ofString())
                .get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals("got 4", r.body());
    }
}
