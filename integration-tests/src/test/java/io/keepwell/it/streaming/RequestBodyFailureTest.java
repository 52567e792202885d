package io.keepwell.it.streaming;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import io.keepwell.http.RequestBodyException;
import io.keepwell.it.support.Actions;
import io.keepwell.it.support.ClientLeakCheck;
import io.keepwell.it.support.ScriptedServer;
import io.keepwell.it.support.ScriptedServers;
import io.keepwell.it.support.TestCertificates;
import io.keepwell.it.support.Witnesses;
import io.keepwell.netty.KeepwellHttpClient;
import io.keepwell.pool.CloseReason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Issue 10 item 7: a request body that fails locally (its stream supplier throws, its stream or
 * publisher fails, its file cannot be read) was reported as the peer's close and retried. It is
 * the caller's own failure: {@link RequestBodyException} with the cause, never retried, and the
 * connection closed as {@link CloseReason#REQUEST_BODY_FAILED}.
 */
class RequestBodyFailureTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static TestCertificates localhost;

    @RegisterExtension
    final ScriptedServers servers = new ScriptedServers();

    @RegisterExtension
    final ClientLeakCheck clients = new ClientLeakCheck();

    private final ExecutorService emitter = Executors.newSingleThreadExecutor();
    private ScriptedServer server;
    private KeepwellHttpClient client;
    private URI base;

    @TempDir
    Path dir;

    @BeforeAll
    static void makeCertificate() throws Exception {
        localhost = TestCertificates.generate("dns:localhost,ip:127.0.0.1");
    }

    @AfterEach
    void stopEmitter() {
        emitter.shutdownNow();
    }

    /** A server that answers everything, and a client whose one connection to it is warm (a retry would be allowed). */
    private void startWarm(boolean https) throws Exception {
        ScriptedServer.Script script = r -> Actions.ok("got " + r.body().length);
        server = https ? servers.startTls(localhost.serverContext(), script) : servers.start(script);
        client = clients.newClient(https
                ? KeepwellHttpClient.newBuilder().eventLoopThreads(1)
                        .nettySslContext(KeepwellHttpClient.tlsContextBuilder().trustManager(localhost.certificate()).build())
                : KeepwellHttpClient.newBuilder().eventLoopThreads(1));
        base = URI.create((https ? "https" : "http") + "://localhost:" + server.port());
        client.sendAsync(HttpRequest.newBuilder(base.resolve("/warm")).build(), HttpResponse.BodyHandlers.ofString())
                .get(WAIT.toSeconds(), TimeUnit.SECONDS);
        Witnesses.awaitCondition(WAIT, () -> client.poolStats().idle() == 1, () -> client.poolStats().toString());
    }

    /** Sends {@code body} as a PUT (idempotent: only the body's failure may keep it from a retry) and returns its failure. */
    private RequestBodyException failureOf(HttpRequest.BodyPublisher body) {
        CompletableFuture<HttpResponse<String>> f = client.sendAsync(HttpRequest.newBuilder(base.resolve("/upload")).PUT(body).build(),
                HttpResponse.BodyHandlers.ofString());
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        return assertInstanceOf(RequestBodyException.class, e.getCause(), () -> "failure: " + e.getCause());
    }

    private void assertClosedAsBodyFailureAndNotRetried() throws Exception {
        Witnesses.awaitCondition(WAIT, () -> client.poolStats().closedBy(CloseReason.REQUEST_BODY_FAILED) == 1, () -> client.poolStats().toString());
        assertEquals(0, client.poolStats().closedBy(CloseReason.PEER_CLOSED), client.poolStats().toString());
        assertEquals(0, client.poolStats().retried());
        assertEquals("got 3", client.sendAsync(HttpRequest.newBuilder(base.resolve("/after")).PUT(HttpRequest.BodyPublishers.ofString("abc")).build(),
                HttpResponse.BodyHandlers.ofString()).get(WAIT.toSeconds(), TimeUnit.SECONDS).body(), "the client still works");
    }

    @ParameterizedTest(name = "https={0}")
    @ValueSource(booleans = {false, true})
    void aStreamSupplierThatThrowsFailsTheRequestAsTheCallersOwn(boolean https) throws Exception {
        startWarm(https);
        IllegalStateException thrown = new IllegalStateException("no stream today");
        AtomicInteger asked = new AtomicInteger();
        RequestBodyException e = failureOf(HttpRequest.BodyPublishers.ofInputStream(() -> {
            asked.incrementAndGet();
            throw thrown;
        }));
        assertSame(thrown, e.getCause());
        assertEquals(1, asked.get(), "the supplier was asked once");
        assertClosedAsBodyFailureAndNotRetried();
    }

    @ParameterizedTest(name = "https={0}")
    @ValueSource(booleans = {false, true})
    void aStreamThatFailsMidBodyFailsTheRequestAsTheCallersOwn(boolean https) throws Exception {
        startWarm(https);
        IOException thrown = new IOException("disk gone");
        AtomicInteger asked = new AtomicInteger();
        RequestBodyException e = failureOf(HttpRequest.BodyPublishers.ofInputStream(() -> {
            asked.incrementAndGet();
            return new InputStream() {
                private int served;

                @Override
                public int read() throws IOException {
                    if (served++ >= 100_000) {
                        throw thrown;
                    }
                    return 'x';
                }
            };
        }));
        assertSame(thrown, e.getCause());
        assertEquals(1, asked.get(), "the supplier was asked once");
        assertClosedAsBodyFailureAndNotRetried();
    }

    @ParameterizedTest(name = "synchronous={0}")
    @ValueSource(booleans = {true, false})
    void aPublisherThatSignalsAnErrorFailsTheRequestAsTheCallersOwn(boolean synchronous) throws Exception {
        startWarm(false);
        IOException thrown = new IOException("upstream broke");
        Flow.Publisher<ByteBuffer> failing = subscriber -> {
            Runnable fail = () -> subscriber.onError(thrown);
            subscriber.onSubscribe(new Flow.Subscription() {
                private int emitted;

                @Override
                public void request(long n) {
                    Runnable next = () -> {
                        if (emitted++ < 3) {
                            subscriber.onNext(ByteBuffer.wrap(new byte[1000]));
                        } else {
                            fail.run();
                        }
                    };
                    if (synchronous) {
                        next.run();
                    } else {
                        emitter.execute(next);
                    }
                }

                @Override
                public void cancel() {
                }
            });
        };
        RequestBodyException e = failureOf(HttpRequest.BodyPublishers.fromPublisher(failing));
        assertSame(thrown, e.getCause());
        assertClosedAsBodyFailureAndNotRetried();
    }

    @Test
    void aPublisherThatEmitsLessThanItsDeclaredLengthFailsTheRequestAsTheCallersOwn() throws Exception {
        startWarm(false);
        Flow.Publisher<ByteBuffer> shortOne = subscriber -> subscriber.onSubscribe(new Flow.Subscription() {
            private boolean emitted;

            @Override
            public void request(long n) {
                if (!emitted) {
                    emitted = true;
                    subscriber.onNext(ByteBuffer.wrap(new byte[10]));
                    subscriber.onComplete();
                }
            }

            @Override
            public void cancel() {
            }
        });
        RequestBodyException e = failureOf(HttpRequest.BodyPublishers.fromPublisher(shortOne, 100));
        assertInstanceOf(IllegalArgumentException.class, e.getCause());
        assertClosedAsBodyFailureAndNotRetried();
    }

    @ParameterizedTest(name = "https={0}")
    @ValueSource(booleans = {false, true})
    void aFileThatCannotBeReadFailsTheRequestAsTheCallersOwn(boolean https) throws Exception {
        startWarm(https);
        Path file = Files.write(dir.resolve("gone.bin"), new byte[50_000]);
        HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.ofFile(file);
        Files.delete(file);
        RequestBodyException e = failureOf(body);
        assertInstanceOf(IOException.class, e.getCause());
        assertClosedAsBodyFailureAndNotRetried();
    }
}
