package io.keepwell.it.faults;

import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import io.keepwell.http.HttpProtocolException;
import java.net.http.HttpResponse;
import io.keepwell.http.HttpTimeoutException;
import io.keepwell.http.PrematureCloseException;
import io.keepwell.it.support.ClientLeakCheck;
import io.keepwell.it.support.Drain;
import io.keepwell.it.support.PatternPublisher;
import io.keepwell.netty.KeepwellHttpClient;
import io.keepwell.pool.CloseReason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static io.keepwell.it.support.Witnesses.awaitCondition;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every request-body kind meets every fault of the peer and of its own producer, and every
 * response-body consumer meets its own failure. Each case asks three things: the future
 * completes, with a failure that says whose fault it was; the request is not sent again; and the
 * client recovers: the next request on it succeeds, and (by {@link ClientLeakCheck}) nothing is
 * left open once it closes.
 */
class FaultMatrixTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    /** Larger than loopback's socket buffers on both sides, so a peer that stops reading stops the upload. */
    private static final long LARGE = 32L << 20;

    @RegisterExtension
    final ClientLeakCheck clients = new ClientLeakCheck();

    @TempDir
    Path dir;

    private HeadFirstServer server;
    private ExecutorService emitter;

    @BeforeEach
    void start() throws IOException {
        server = new HeadFirstServer();
        emitter = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fault-matrix-emitter");
            t.setDaemon(true);
            return t;
        });
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
        emitter.shutdownNow();
    }

    /** The request bodies Keepwell sends, each {@link #LARGE} bytes. */
    enum Body {
        BYTES, INPUT_STREAM, PUBLISHER_SYNC_KNOWN, PUBLISHER_SYNC_UNKNOWN, PUBLISHER_ASYNC_KNOWN, PUBLISHER_ASYNC_UNKNOWN, FILE,
        /** {@code KeepwellBodyPublishers.ofFile}: sent as a file region, not through the publisher. */
        FILE_ZERO_COPY
    }

    /** What the peer does to an upload. */
    enum PeerFault {
        RESET_AFTER_HEAD("/reset-after-head"), RESET_MID_BODY("/reset-mid-body");

        final String path;

        PeerFault(String path) {
            this.path = path;
        }
    }

    private BodyPublisher body(Body kind, long length) throws IOException {
        return switch (kind) {
            case BYTES -> BodyPublishers.ofByteArray(new byte[(int) length]);
            case INPUT_STREAM -> BodyPublishers.ofInputStream(() -> new ZeroStream(length, -1, null));
            case PUBLISHER_SYNC_KNOWN -> BodyPublishers.fromPublisher(PatternPublisher.of(1, length, 16 * 1024, null), length);
            case PUBLISHER_SYNC_UNKNOWN -> BodyPublishers.fromPublisher(PatternPublisher.of(1, length, 16 * 1024, null));
            case PUBLISHER_ASYNC_KNOWN -> BodyPublishers.fromPublisher(PatternPublisher.of(1, length, 16 * 1024, emitter), length);
            case PUBLISHER_ASYNC_UNKNOWN -> BodyPublishers.fromPublisher(PatternPublisher.of(1, length, 16 * 1024, emitter));
            case FILE -> BodyPublishers.ofFile(file(length));
            case FILE_ZERO_COPY -> io.keepwell.http.KeepwellBodyPublishers.ofFile(file(length));
        };
    }

    private Path file(long length) throws IOException {
        Path path = dir.resolve("body-" + length);
        if (!Files.exists(path)) {
            try (var channel = Files.newByteChannel(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer block = ByteBuffer.allocate(1 << 20);
                for (long written = 0; written < length; ) {
                    block.clear().limit((int) Math.min(block.capacity(), length - written));
                    written += channel.write(block);
                }
            }
        }
        return path;
    }

    /** A short write timeout, so a stalled upload ends within the test's wait. */
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(1);

    private KeepwellHttpClient client() {
        return clients.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1).writeTimeout(WRITE_TIMEOUT));
    }

    @ParameterizedTest(name = "{0} against {1}")
    @org.junit.jupiter.params.provider.MethodSource("uploadsAgainstPeerFaults")
    void anUploadThePeerCutsFailsAsThePeersFaultOnceAndTheClientRecovers(Body kind, PeerFault fault) throws Exception {
        KeepwellHttpClient client = client();
        HttpRequest request = HttpRequest.newBuilder(server.uri(fault.path)).POST(body(kind, LARGE)).build();
        Throwable failure = failureOf(client.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
        assertTrue(failure instanceof PrematureCloseException, () -> "a peer's reset must fail as the peer's: " + describe(failure));
        assertEquals(1, server.requests(fault.path), "a POST on a fresh connection is never sent again");
        assertRecovers(client);
    }

    @ParameterizedTest
    @EnumSource(Body.class)
    void anUploadToAPeerThatStopsReadingTimesOutInTheWritePhaseOnceAndTheClientRecovers(Body kind) throws Exception {
        KeepwellHttpClient client = client();
        HttpRequest request = HttpRequest.newBuilder(server.uri("/stop-reading")).POST(body(kind, LARGE)).build();
        Throwable failure = failureOf(client.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
        assertTrue(failure instanceof HttpTimeoutException t && t.phase() == HttpTimeoutException.Phase.WRITE,
                () -> "a peer that stops reading must end the upload by the write timeout: " + describe(failure));
        assertEquals(1, server.requests("/stop-reading"), "a POST on a fresh connection is never sent again");
        assertRecovers(client);
    }

    @ParameterizedTest
    @EnumSource(value = Body.class, names = {"PUBLISHER_SYNC_KNOWN", "PUBLISHER_SYNC_UNKNOWN", "PUBLISHER_ASYNC_KNOWN", "PUBLISHER_ASYNC_UNKNOWN"})
    void aPublisherThatStallsTimesOutInTheWritePhaseAndTheClientRecovers(Body kind) throws Exception {
        KeepwellHttpClient client = client();
        boolean known = kind.name().endsWith("KNOWN") && !kind.name().endsWith("UNKNOWN");
        PatternPublisher stalling = PatternPublisher.of(1, LARGE, 16 * 1024, kind.name().contains("ASYNC") ? emitter : null)
                .failing(PatternPublisher.Fault.STALL, 100_000, null);
        HttpRequest request = HttpRequest.newBuilder(server.uri("/drain"))
                .POST(known ? BodyPublishers.fromPublisher(stalling, LARGE) : BodyPublishers.fromPublisher(stalling)).build();
        Throwable failure = failureOf(client.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
        assertTrue(failure instanceof HttpTimeoutException t && t.phase() == HttpTimeoutException.Phase.WRITE,
                () -> "a publisher that stops emitting must end the upload by the write timeout: " + describe(failure));
        assertEquals(1, stalling.subscriptions(), "a one-shot publisher is subscribed once");
        assertRecovers(client);
    }

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> uploadsAgainstPeerFaults() {
        return java.util.Arrays.stream(Body.values()).flatMap(b -> java.util.Arrays.stream(PeerFault.values())
                .map(f -> org.junit.jupiter.params.provider.Arguments.of(b, f)));
    }

    /** How a body's own producer fails, one byte offset into the body. */
    enum ProducerFault {
        PUBLISHER_ON_ERROR, PUBLISHER_THROWS_FROM_REQUEST, INPUT_STREAM_READ_THROWS, INPUT_STREAM_SUPPLIER_THROWS,
        PUBLISHER_ON_ERROR_BEFORE_ANY_BYTE
    }

    @ParameterizedTest
    @EnumSource(ProducerFault.class)
    void aBodyThatFailsToProduceFailsAsTheCallersOwnWithItsCauseIsNotRetriedAndTheClientRecovers(ProducerFault fault)
            throws Exception {
        KeepwellHttpClient client = client();
        IllegalStateException cause = new IllegalStateException("the caller's own body failed (" + fault + ")");
        IOException readFailure = new IOException("the caller's own stream failed to read");
        long length = 1 << 20;
        BodyPublisher body = switch (fault) {
            case PUBLISHER_ON_ERROR -> BodyPublishers.fromPublisher(
                    PatternPublisher.of(1, length, 8192, emitter).failing(PatternPublisher.Fault.ON_ERROR, 100_000, cause), length);
            case PUBLISHER_ON_ERROR_BEFORE_ANY_BYTE -> BodyPublishers.fromPublisher(
                    PatternPublisher.of(1, length, 8192, null).failing(PatternPublisher.Fault.ON_ERROR, 0, cause));
            case PUBLISHER_THROWS_FROM_REQUEST -> BodyPublishers.fromPublisher(
                    PatternPublisher.of(1, length, 8192, null).failing(PatternPublisher.Fault.THROW_FROM_REQUEST, 100_000, cause));
            case INPUT_STREAM_READ_THROWS -> BodyPublishers.ofInputStream(() -> new ZeroStream(length, 100_000, readFailure));
            case INPUT_STREAM_SUPPLIER_THROWS -> BodyPublishers.ofInputStream(() -> {
                throw cause;
            });
        };
        // The idempotency key makes the request one that may be retried: only the cause's origin forbids it.
        HttpRequest request = HttpRequest.newBuilder(server.uri("/drain")).header("Idempotency-Key", "k1").POST(body).build();
        Throwable failure = failureOf(client.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
        assertFalse(failure instanceof PrematureCloseException, () -> "the caller's failure reported as the peer's: " + describe(failure));
        Throwable expected = fault == ProducerFault.INPUT_STREAM_READ_THROWS ? readFailure : cause;
        assertTrue(causeChainHas(failure, expected), () -> "the caller's own exception must be attached: " + describe(failure));
        assertTrue(server.requests("/drain") <= 1, "a request whose body failed locally is never retried");
        assertEquals(0, client.poolStats().retried());
        assertRecovers(client);
    }

    /** How a response body's consumer fails. */
    enum ConsumerFault { HANDLER_THROWS, ON_SUBSCRIBE_THROWS, ON_NEXT_THROWS, ON_COMPLETE_THROWS, BODY_STAGE_FAILS }

    @ParameterizedTest
    @EnumSource(ConsumerFault.class)
    void aResponseConsumerThatFailsFailsItsFutureWithItsOwnExceptionAndTheClientRecovers(ConsumerFault fault) throws Exception {
        KeepwellHttpClient client = client();
        RuntimeException cause = new IllegalStateException("the caller's own consumer failed (" + fault + ")");
        HttpResponse.BodyHandler<String> handler = info -> {
            if (fault == ConsumerFault.HANDLER_THROWS) {
                throw cause;
            }
            return new FailingSubscriber(fault, cause);
        };
        Throwable failure = failureOf(client.sendAsync(HttpRequest.newBuilder(server.uri("/big")).build(), handler));
        assertTrue(causeChainHas(failure, cause), () -> "the consumer's own exception must be the failure: " + describe(failure));
        assertFalse(failure instanceof PrematureCloseException || failure instanceof HttpProtocolException,
                () -> "the caller's failure reported as the peer's: " + describe(failure));
        awaitCondition(WAIT, () -> client.poolStats().active() == 0, () -> "still active: " + client.poolStats());
        for (CloseReason peers : List.of(CloseReason.PEER_CLOSED, CloseReason.PROTOCOL_ERROR)) {
            assertEquals(0, client.poolStats().closedBy(peers), () -> "closed as the peer's fault: " + client.poolStats());
        }
        assertRecovers(client);
    }

    /** The response-body handlers Keepwell has, each read to its end by the caller. */
    enum Handler {
        STRING, BYTE_ARRAY, PUBLISHER, INPUT_STREAM, FILE,
        /** The JDK's {@code discarding()}: reads the body to its end, so a cut body fails it. */
        DISCARDING,
        /** Keepwell's budgeted discard: past its budget it closes rather than read, and may succeed. */
        BUDGETED_DISCARDING,
        /** Keepwell's bounded {@code ofString(max)}, with room for the whole body. */
        BOUNDED_STRING
    }

    /** How the peer cuts a response body. */
    enum ResponseFault {
        RESET("/big-reset"), TRUNCATED("/big-truncated"), CHUNKED_RESET("/big-chunked-reset");

        final String path;

        ResponseFault(String path) {
            this.path = path;
        }
    }

    @ParameterizedTest(name = "{0} against {1}")
    @org.junit.jupiter.params.provider.MethodSource("handlersAgainstResponseFaults")
    void aResponseBodyThePeerCutsFailsTypedWhereverItIsReadAndTheClientRecovers(Handler handler, ResponseFault fault)
            throws Exception {
        KeepwellHttpClient client = client();
        HttpRequest request = HttpRequest.newBuilder(server.uri(fault.path)).build();
        Throwable failure = switch (handler) {
            case STRING -> failureOf(client.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
            case BYTE_ARRAY -> failureOf(client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()));
            case FILE -> failureOf(client.sendAsync(request, HttpResponse.BodyHandlers.ofFile(dir.resolve("download"))));
            case DISCARDING -> failureOf(client.sendAsync(request, HttpResponse.BodyHandlers.discarding()));
            case BOUNDED_STRING -> failureOf(client.sendAsync(request, io.keepwell.http.KeepwellBodyHandlers.ofString(64 << 20)));
            case BUDGETED_DISCARDING -> {
                // 1 MiB is past the discard budget: the client may close instead of draining, and then it succeeds
                CompletableFuture<HttpResponse<Void>> f = client.sendAsync(request, io.keepwell.http.KeepwellBodyHandlers.discarding());
                try {
                    f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                    yield null;
                } catch (ExecutionException e) {
                    yield e.getCause();
                }
            }
            case INPUT_STREAM -> {
                InputStream in = client.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream())
                        .get(WAIT.toSeconds(), TimeUnit.SECONDS).body();
                try (in) {
                    in.readAllBytes();
                    yield fail("the stream ended normally");
                } catch (IOException e) {
                    // The JDK's stream reports a failed body as IOException("closed") caused by what failed it.
                    yield e.getCause() != null ? e.getCause() : e;
                }
            }
            case PUBLISHER -> {
                Flow.Publisher<List<ByteBuffer>> body = client.sendAsync(request, HttpResponse.BodyHandlers.ofPublisher())
                        .get(WAIT.toSeconds(), TimeUnit.SECONDS).body();
                CompletableFuture<Void> done = Drain.toEnd(body);
                yield failureOf(done);
            }
        };
        if (failure != null) {
            assertTrue(failure instanceof PrematureCloseException, () -> "a cut body must fail as the peer's: " + describe(failure));
        }
        assertRecovers(client);
    }

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> handlersAgainstResponseFaults() {
        return java.util.Arrays.stream(Handler.values()).flatMap(h -> java.util.Arrays.stream(ResponseFault.values())
                .map(f -> org.junit.jupiter.params.provider.Arguments.of(h, f)));
    }

    /** The next request on the same client succeeds, and no connection but idle ones is left. */
    private void assertRecovers(KeepwellHttpClient client) throws Exception {
        HttpResponse<String> next = client.sendAsync(HttpRequest.newBuilder(server.uri("/ok")).build(),
                HttpResponse.BodyHandlers.ofString()).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(200, next.statusCode());
        assertEquals("ok", next.body());
        awaitCondition(WAIT, () -> server.openConnections() == client.poolStats().idle(),
                () -> "server sees " + server.openConnections() + " connections, client " + client.poolStats());
    }

    private static Throwable failureOf(CompletableFuture<?> future) throws InterruptedException {
        try {
            Object value = future.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            return fail("expected a failure, got " + value);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            future.cancel(true);
            return fail("the future did not complete within " + WAIT);
        }
    }

    private static boolean causeChainHas(Throwable failure, Throwable cause) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t == cause) {
                return true;
            }
            for (Throwable s : t.getSuppressed()) {
                if (s == cause) {
                    return true;
                }
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    private static String describe(Throwable t) {
        java.io.StringWriter w = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(w));
        return w.toString();
    }

    /** {@code length} zero bytes; throws {@code failure} once {@code failAt} bytes were read (never if negative). */
    private static final class ZeroStream extends InputStream {
        private final long length;
        private final long failAt;
        private final IOException failure;
        private long position;

        ZeroStream(long length, long failAt, IOException failure) {
            this.length = length;
            this.failAt = failAt;
            this.failure = failure;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0];
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (failAt >= 0 && position >= failAt) {
                throw failure;
            }
            if (position >= length) {
                return -1;
            }
            int n = (int) Math.min(len, length - position);
            java.util.Arrays.fill(b, off, off + n, (byte) 0);
            position += n;
            return n;
        }
    }

    /** A response subscriber that fails at the point {@code fault} names. */
    private static final class FailingSubscriber implements HttpResponse.BodySubscriber<String> {
        private final ConsumerFault fault;
        private final RuntimeException cause;
        private final CompletableFuture<String> body = new CompletableFuture<>();

        FailingSubscriber(ConsumerFault fault, RuntimeException cause) {
            this.fault = fault;
            this.cause = cause;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            if (fault == ConsumerFault.ON_SUBSCRIBE_THROWS) {
                throw cause;
            }
            if (fault == ConsumerFault.BODY_STAGE_FAILS) {
                body.completeExceptionally(cause);
            }
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> item) {
            if (fault == ConsumerFault.ON_NEXT_THROWS) {
                throw cause;
            }
        }

        @Override
        public void onError(Throwable throwable) {
            body.completeExceptionally(throwable);
        }

        @Override
        public void onComplete() {
            if (fault == ConsumerFault.ON_COMPLETE_THROWS) {
                throw cause;
            }
            body.complete("done");
        }

        @Override
        public java.util.concurrent.CompletionStage<String> getBody() {
            return body;
        }
    }
}
