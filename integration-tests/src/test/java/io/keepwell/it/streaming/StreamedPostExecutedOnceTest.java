package io.keepwell.it.streaming;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import io.keepwell.http.PrematureCloseException;
import io.keepwell.it.support.Actions;
import io.keepwell.it.support.ClientLeakCheck;
import io.keepwell.it.support.ScriptedServer;
import io.keepwell.it.support.ScriptedServers;
import io.keepwell.it.support.TestBodyPublisher;
import io.keepwell.it.support.TestCertificates;
import io.keepwell.it.support.Witnesses;
import io.keepwell.netty.KeepwellHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 10 item 1: a streamed POST was executed twice. Its body was written outside the writer's
 * byte accounting, so when the server read the whole POST on a reused connection and closed
 * without answering, the exchange recorded 0 bytes written and the retry policy sent it again.
 * For every body kind, over http and https, the server must execute the POST exactly once.
 */
class StreamedPostExecutedOnceTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int CHUNKS = 8;
    private static final int CHUNK_SIZE = 10_000;
    private static TestCertificates localhost;

    @RegisterExtension
    final ScriptedServers servers = new ScriptedServers();

    @RegisterExtension
    final ClientLeakCheck clients = new ClientLeakCheck();

    private final ExecutorService emitter = Executors.newSingleThreadExecutor();

    @TempDir
    Path dir;

    /** How the POST's body is produced. */
    enum BodyKind {
        INPUT_STREAM, FILE, PUBLISHER_SYNC_KNOWN_LENGTH, PUBLISHER_SYNC_UNKNOWN_LENGTH,
        PUBLISHER_ASYNC_KNOWN_LENGTH, PUBLISHER_ASYNC_UNKNOWN_LENGTH
    }

    static Stream<Arguments> bodyKindsAndSchemes() {
        return Arrays.stream(BodyKind.values()).flatMap(kind -> Stream.of(Arguments.of(kind, false), Arguments.of(kind, true)));
    }

    @BeforeAll
    static void makeCertificate() throws Exception {
        localhost = TestCertificates.generate("dns:localhost,ip:127.0.0.1");
    }

    @AfterEach
    void stopEmitter() {
        emitter.shutdownNow();
    }

    @ParameterizedTest(name = "{0}, https={1}")
    @MethodSource("bodyKindsAndSchemes")
    void aStreamedPostReadWholeByAServerThatThenClosesIsNotSentAgain(BodyKind kind, boolean https) throws Exception {
        // The first request on each connection is answered; the second is read whole, then the
        // connection is closed without an answer (a server that executed it and crashed).
        ScriptedServer.Script script = r -> r.indexOnConnection() == 1 ? Actions.close() : Actions.ok("ok " + r.body().length);
        ScriptedServer server = https ? servers.startTls(localhost.serverContext(), script) : servers.start(script);
        KeepwellHttpClient client = clients.newClient(https
                ? KeepwellHttpClient.newBuilder().eventLoopThreads(1)
                        .nettySslContext(KeepwellHttpClient.tlsContextBuilder().trustManager(localhost.certificate()).build())
                : KeepwellHttpClient.newBuilder().eventLoopThreads(1));
        URI base = URI.create((https ? "https" : "http") + "://localhost:" + server.port());

        client.sendAsync(HttpRequest.newBuilder(base.resolve("/warm")).build(), HttpResponse.BodyHandlers.ofString())
                .get(WAIT.toSeconds(), TimeUnit.SECONDS);
        Witnesses.awaitCondition(WAIT, () -> client.poolStats().idle() == 1, () -> client.poolStats().toString());

        AtomicInteger bodiesMade = new AtomicInteger();
        HttpRequest.BodyPublisher body = body(kind, bodiesMade);
        CompletableFuture<HttpResponse<String>> post = client.sendAsync(HttpRequest.newBuilder(base.resolve("/pay"))
                .header("X-Request-Id", "pay-1").POST(body).build(), HttpResponse.BodyHandlers.ofString());

        ExecutionException e = assertThrows(ExecutionException.class, () -> post.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        PrematureCloseException premature = assertInstanceOf(PrematureCloseException.class, e.getCause());
        assertTrue(premature.reused());
        assertTrue(premature.bytesWritten() > 0, "bytes written: " + premature.bytesWritten());
        assertEquals(1, server.requests().stream().filter(r -> "pay-1".equals(r.header("X-Request-Id"))).count(),
                "executions of the POST on the server");
        assertEquals(CHUNKS * CHUNK_SIZE, server.requests().get(1).body().length, "the server read the whole body");
        assertEquals(0, client.poolStats().retried());
        if (kind != BodyKind.FILE) { // the file's zero-copy path never subscribes: the server's count covers it
            assertEquals(1, bodiesMade.get(), "the body was produced once");
        }
    }

    /** A body of {@code CHUNKS * CHUNK_SIZE} bytes; {@code made} counts the streams or subscriptions it produced. */
    private HttpRequest.BodyPublisher body(BodyKind kind, AtomicInteger made) throws Exception {
        byte[] content = new byte[CHUNKS * CHUNK_SIZE];
        for (int i = 0; i < content.length; i++) {
            content[i] = Actions.patternByte(i);
        }
        return switch (kind) {
            case INPUT_STREAM -> HttpRequest.BodyPublishers.ofInputStream(() -> {
                made.incrementAndGet();
                return new ByteArrayInputStream(content);
            });
            case FILE -> HttpRequest.BodyPublishers.ofFile(Files.write(dir.resolve("body.bin"), content));
            case PUBLISHER_SYNC_KNOWN_LENGTH -> publisher(TestBodyPublisher.synchronous(CHUNKS, CHUNK_SIZE), true, made);
            case PUBLISHER_SYNC_UNKNOWN_LENGTH -> publisher(TestBodyPublisher.synchronous(CHUNKS, CHUNK_SIZE), false, made);
            case PUBLISHER_ASYNC_KNOWN_LENGTH -> publisher(TestBodyPublisher.on(emitter, CHUNKS, CHUNK_SIZE), true, made);
            case PUBLISHER_ASYNC_UNKNOWN_LENGTH -> publisher(TestBodyPublisher.on(emitter, CHUNKS, CHUNK_SIZE), false, made);
        };
    }

    private static HttpRequest.BodyPublisher publisher(TestBodyPublisher source, boolean knownLength, AtomicInteger made) {
        return countingSubscriptions(knownLength
                ? HttpRequest.BodyPublishers.fromPublisher(source, source.length()) : HttpRequest.BodyPublishers.fromPublisher(source), made);
    }

    private static HttpRequest.BodyPublisher countingSubscriptions(HttpRequest.BodyPublisher inner, AtomicInteger made) {
        return new HttpRequest.BodyPublisher() {
            @Override
            public long contentLength() {
                return inner.contentLength();
            }

            @Override
            public void subscribe(java.util.concurrent.Flow.Subscriber<? super java.nio.ByteBuffer> subscriber) {
                made.incrementAndGet();
                inner.subscribe(subscriber);
            }
        };
    }
}
