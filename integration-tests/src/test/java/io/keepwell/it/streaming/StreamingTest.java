package io.keepwell.it.streaming;

import io.keepwell.http.BodyTooLargeException;
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
import io.keepwell.pool.RefuseReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import reactor.adapter.JdkFlowAdapter;
import reactor.core.publisher.Flux;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Streaming bodies both ways with bounded memory, and every way a caller can walk away from one. */
class StreamingTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final long GIB = 1L << 30;

    @RegisterExtension
    final ScriptedServers servers = new ScriptedServers();

    @RegisterExtension
    final ClientLeakCheck clients = new ClientLeakCheck();

    private ScriptedServer server;


    private static long expectedCrc(long size) {
        CRC32 crc = new CRC32();
        byte[] block = new byte[64 * 1024];
        for (long position = 0; position < size; ) {
            int n = (int) Math.min(block.length, size - position);
            for (int i = 0; i < n; i++) {
                block[i] = Actions.patternByte(position + i);
            }
            crc.update(block, 0, n);
            position += n;
        }
        return crc.getValue();
    }

    /** Consumes on its own thread, one list at a time, asking for the next only after handling one. */
    private static final class SlowSubscriber implements Flow.Subscriber<List<ByteBuffer>> {
        final CRC32 crc = new CRC32();
        final AtomicLong received = new AtomicLong();
        final CompletableFuture<Long> done = new CompletableFuture<>();
        final java.util.concurrent.ExecutorService worker = java.util.concurrent.Executors.newSingleThreadExecutor();
        Flow.Subscription subscription;

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(1);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            List<ByteBuffer> copy = items;
            worker.execute(() -> {
                for (ByteBuffer b : copy) {
                    received.addAndGet(b.remaining());
                    crc.update(b);
                }
                subscription.request(1);
            });
        }

        @Override
        public void onError(Throwable t) {
            worker.execute(() -> done.completeExceptionally(t));
            worker.shutdown();
        }

        @Override
        public void onComplete() {
            worker.execute(() -> done.complete(crc.getValue()));
            worker.shutdown();
        }
    }

    @Test
    void aGibibyteReadBySlowSubscriberKeepsClientMemoryBounded() throws Exception {
        server = servers.start(r -> Actions.largeBody(GIB, false));
        KeepwellHttpClient client = clients.newClient();
        HttpResponse<Flow.Publisher<List<ByteBuffer>>> response = client.sendAsync(
                HttpRequest.newBuilder(server.uri("/big")).build(), HttpResponse.BodyHandlers.ofPublisher())
                .get(WAIT.toSeconds(), TimeUnit.SECONDS);
        client.resetBufferedBodyBytesPeak();
        SlowSubscriber subscriber = new SlowSubscriber();
        response.body().subscribe(subscriber);
        long crc = subscriber.done.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        long peak = client.bufferedBodyBytesPeak();
        System.out.println("{\"test\":\"gibibyte-slow-subscriber\",\"bodyBytes\":" + subscriber.received.get()
                + ",\"peakBufferedBytes\":" + peak + "}");
        assertEquals(GIB, subscriber.received.get());
        assertEquals(expectedCrc(GIB), crc);
        assertTrue(peak <= 4L * 1024 * 1024, "peak buffered body bytes " + peak + " > 4 MiB");
        assertEquals(0, client.bufferedBodyBytes());
        Witnesses.awaitCondition(WAIT, () -> client.poolStats().idle() == 1, () -> client.poolStats().toString());
    }

    @Test
    void inputStreamAndFileHandlersReadTheWholeBody(@TempDir Path dir) throws Exception {
        long size = 8L * 1024 * 1024 + 17;
        server = servers.start(r -> Actions.largeBody(size, r.target().equals("/chunked")));
        KeepwellHttpClient client = clients.newClient();
        InputStream in = client.sendAsync(HttpRequest.newBuilder(server.uri("/chunked")).build(), HttpResponse.BodyHandlers.ofInputStream())
                .get(WAIT.toSeconds(), TimeUnit.SECONDS).body();
        CRC32 crc = new CRC32();
        byte[] buf = new byte[10_000];
        long total = 0;
        try (in) {
            for (int n; (n = in.read(buf)) != -1; ) {
                crc.update(buf, 0, n);
                total += n;
            }
        }
        assertEquals(size, total);
        assertEquals(expectedCrc(size), crc.getValue());
        Path file = client.sendAsync(HttpRequest.newBuilder(server.uri("/fixed")).build(), HttpResponse.BodyHandlers.ofFile(dir.resolve("body.bin")))
                .get(WAIT.toSeconds(), TimeUnit.SECONDS).body();
        assertEquals(size, Files.size(file));
        CRC32 fileCrc = new CRC32();
        fileCrc.update(Files.readAllBytes(file));
        assertEquals(expectedCrc(size), fileCrc.getValue());
        assertEquals(1, server.acceptedConnections());
    }

    @Test
    void uploadsOfAFileAndOfAPublisherOfUnknownLengthArriveWhole(@TempDir Path dir) throws Exception {
        server = servers.start(r -> {
            CRC32 crc = new CRC32();
            crc.update(r.body());
            return Actions.ok(r.body().length + ":" + crc.getValue());
        });
        KeepwellHttpClient client = clients.newClient();
        byte[] content = new byte[32 * 1024 * 1024 + 5];
        for (int i = 0; i < content.length; i++) {
            content[i] = Actions.patternByte(i);
        }
        CRC32 crc = new CRC32();
        crc.update(content);
        String expected = content.length + ":" + crc.getValue();
        Path file = dir.resolve("upload.bin");
        Files.write(file, content);
        HttpResponse<String> fromFile = client.sendAsync(HttpRequest.newBuilder(server.uri("/file"))
                .PUT(HttpRequest.BodyPublishers.ofFile(file)).build(), HttpResponse.BodyHandlers.ofString()).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(expected, fromFile.body());
        assertEquals(String.valueOf(content.length), server.requests().get(0).header("content-length"));

        SubmissionPublisher<ByteBuffer> publisher = new SubmissionPublisher<>();
        CompletableFuture<HttpResponse<String>> chunked = client.sendAsync(HttpRequest.newBuilder(server.uri("/stream"))
                .POST(HttpRequest.BodyPublishers.fromPublisher(publisher)).build(), HttpResponse.BodyHandlers.ofString());
        // SubmissionPublisher drops what is submitted before anyone subscribes: wait for the client.
        Witnesses.awaitCondition(WAIT, () -> publisher.getNumberOfSubscribers() == 1, () -> "the upload never subscribed");
        Thread producer = new Thread(() -> {
            for (int offset = 0; offset < content.length; offset += 10_000) {
                publisher.submit(ByteBuffer.wrap(content, offset, Math.min(10_000, content.length - offset)).slice());
            }
            publisher.close();
        }, "test-producer");
        producer.start();
        assertEquals(expected, chunked.get(WAIT.toSeconds(), TimeUnit.SECONDS).body());
        producer.join();
        assertEquals("chunked", server.requests().get(1).header("transfer-encoding"));

        HttpResponse<String> fromStream = client.sendAsync(HttpRequest.newBuilder(server.uri("/is"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(content))).build(),
                HttpResponse.BodyHandlers.ofString()).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(expected, fromStream.body());
    }

    @Test
    void cancellingTheSubscriptionMidBodyClosesTheConnection() throws Exception {
        server = servers.start(r -> Actions.largeBody(256L * 1024 * 1024, false));
        KeepwellHttpClient client = clients.newClient();
        Flow.Publisher<List<ByteBuffer>> body = client.sendAsync(HttpRequest.newBuilder(server.uri("/big")).build(),
                HttpResponse.BodyHandlers.ofPublisher()).get(WAIT.toSeconds(), TimeUnit.SECONDS).body();
        AtomicLong received = new AtomicLong();
        body.subscribe(new Flow.Subscriber<>() {
            Flow.Subscription s;

            @Override
            public void onSubscribe(Flow.Subscription s) {
                this.s = s;
                s.request(1);
            }

            @Override
            public void onNext(List<ByteBuffer> item) {
                if (received.addAndGet(item.stream().mapToLong(ByteBuffer::remaining).sum()) > 1_000_000) {
                    s.cancel();
                } else {
                    s.request(1);
                }
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onComplete() {
            }
        });
        Witnesses.awaitCondition(WAIT, () -> client.poolStats().closedBy(CloseReason.ABORTED) == 1, () -> client.poolStats().toString());
        Witnesses.awaitCondition(WAIT, () -> server.openConnections() == 0, () -> "the server still sees the cancelled connection");
        assertEquals(0, client.bufferedBodyBytes());
    }

    @Test
    void cancellingTheFutureWhileAwaitingHeadersClosesTheConnection() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        server = servers.start(r -> Actions.holdUntil(release, WAIT.toMillis(), Actions.ok("late")));
        KeepwellHttpClient client = clients.newClient();
        CompletableFuture<HttpResponse<String>> f = client.sendAsync(HttpRequest.newBuilder(server.uri("/hold")).build(), HttpResponse.BodyHandlers.ofString());
        Witnesses.awaitCondition(WAIT, () -> server.requestCount() == 1, () -> "request not arrived");
        assertTrue(f.cancel(true));
        Witnesses.awaitCondition(WAIT, () -> client.poolStats().closedBy(CloseReason.ABORTED) == 1, () -> client.poolStats().toString());
        release.countDown();
        Witnesses.awaitCondition(WAIT, () -> server.openConnections() == 0, () -> "server still sees the cancelled connection");
    }

    @Test
    void cancellingTheFutureWhileTheBodyIsWrittenClosesTheConnection() throws Exception {
        server = servers.start(r -> Actions.ok("never"));
        KeepwellHttpClient client = clients.newClient();
        SubmissionPublisher<ByteBuffer> endless = new SubmissionPublisher<>();
        CompletableFuture<HttpResponse<String>> f = client.sendAsync(HttpRequest.newBuilder(server.uri("/upload"))
                .POST(HttpRequest.BodyPublishers.fromPublisher(endless)).build(), HttpResponse.BodyHandlers.ofString());
        Witnesses.awaitCondition(WAIT, () -> endless.getNumberOfSubscribers() == 1, () -> "the upload never subscribed");
        endless.submit(ByteBuffer.wrap(new byte[1000]));
        Witnesses.awaitCondition(WAIT, () -> server.acceptedConnections() == 1 && client.poolStats().active() == 1, () -> client.poolStats().toString());
        assertTrue(f.cancel(true));
        Witnesses.awaitCondition(WAIT, () -> client.poolStats().closedBy(CloseReason.ABORTED) == 1, () -> client.poolStats().toString());
        Witnesses.awaitCondition(WAIT, () -> endless.getNumberOfSubscribers() == 0, () -> "the upload's subscription was not cancelled");
        Witnesses.awaitCondition(WAIT, () -> server.openConnections() == 0, () -> "server still sees the cancelled upload");
        endless.close();
    }

    @Test
    void aCancelAfterTheExchangeFinishedChangesNothing() throws Exception {
        server = servers.start(r -> Actions.ok("done"));
        KeepwellHttpClient client = clients.newClient();
        CompletableFuture<HttpResponse<String>> f = client.sendAsync(HttpRequest.newBuilder(server.uri("/a")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals("done", f.get(WAIT.toSeconds(), TimeUnit.SECONDS).body());
        f.cancel(true);
        client.sendAsync(HttpRequest.newBuilder(server.uri("/b")).build(), HttpResponse.BodyHandlers.ofString()).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(1, server.acceptedConnections());
        assertEquals(0, client.poolStats().closed());
    }

    @Test
    void anAbandonedBodyIsDetectedAndItsConnectionClosed() throws Exception {
        server = servers.start(r -> Actions.largeBody(1024 * 1024, false));
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1)
                .abandonedBodyTimeout(Duration.ofMillis(300)).trackBodyCallSites(true));
        HttpResponse<Flow.Publisher<List<ByteBuffer>>> ignored = client.sendAsync(HttpRequest.newBuilder(server.uri("/forgotten")).build(),
                HttpResponse.BodyHandlers.ofPublisher()).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        Witnesses.awaitCondition(WAIT, () -> client.poolStats().closedBy(CloseReason.ABANDONED) == 1, () -> client.poolStats().toString());
        assertEquals(0, client.poolStats().open());
        AtomicReference<Throwable> error = new AtomicReference<>();
        CompletableFuture<Void> told = new CompletableFuture<>();
        ignored.body().subscribe(new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                s.request(1);
            }

            @Override
            public void onNext(List<ByteBuffer> item) {
            }

            @Override
            public void onError(Throwable t) {
                error.set(t);
                told.complete(null);
            }

            @Override
            public void onComplete() {
                told.complete(null);
            }
        });
        told.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        HttpTimeoutException e = assertInstanceOf(HttpTimeoutException.class, error.get());
        assertEquals(HttpTimeoutException.Phase.BODY_ABANDONED, e.phase());
    }

    @Test
    void discardingDrainsASmallBodyAndClosesInsteadOfReadingALargeOne() throws Exception {
        server = servers.start(r -> r.target().equals("/small") ? Actions.ok("tiny") : Actions.largeBody(8L * 1024 * 1024, r.target().equals("/chunked")));
        KeepwellHttpClient client = clients.newClient();
        for (String path : List.of("/small", "/small", "/large", "/chunked")) {
            HttpResponse<Void> r = client.sendAsync(HttpRequest.newBuilder(server.uri(path)).build(), io.keepwell.http.KeepwellBodyHandlers.discarding())
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertNull(r.body());
        }
        assertEquals(2, client.poolStats().refused(RefuseReason.NOT_REUSABLE), client.poolStats().toString());
        assertEquals(2, server.acceptedConnections(), "the small bodies and the first large one shared a connection, which the large one ended");
    }

    @Test
    void aBoundedHandlerFailsABodyOverItsLimitTypedAndClosesTheConnection() throws Exception {
        server = servers.start(r -> Actions.largeBody(10_000, r.target().equals("/chunked")));
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1));
        for (String path : List.of("/fixed", "/chunked")) {
            CompletableFuture<HttpResponse<byte[]>> f = client.sendAsync(HttpRequest.newBuilder(server.uri(path)).build(),
                    io.keepwell.http.KeepwellBodyHandlers.ofByteArray(4096));
            ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(WAIT.toSeconds(), TimeUnit.SECONDS));
            assertEquals(4096, assertInstanceOf(BodyTooLargeException.class, e.getCause()).limit());
        }
        Witnesses.awaitCondition(WAIT, () -> client.poolStats().closedBy(CloseReason.ABORTED) == 2, () -> client.poolStats().toString());
    }

    @Test
    void theClientWideBodyLimitHoldsForTheJdksOwnHandlers() throws Exception {
        server = servers.start(r -> Actions.largeBody(10_000, r.target().equals("/chunked")));
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1).maxResponseBodySize(4096));
        for (String path : List.of("/fixed", "/chunked")) {
            for (HttpResponse.BodyHandler<?> handler : List.of(HttpResponse.BodyHandlers.ofByteArray(), HttpResponse.BodyHandlers.ofString(),
                    HttpResponse.BodyHandlers.discarding())) {
                CompletableFuture<? extends HttpResponse<?>> f = client.sendAsync(HttpRequest.newBuilder(server.uri(path)).build(), handler);
                ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(WAIT.toSeconds(), TimeUnit.SECONDS));
                assertEquals(4096, assertInstanceOf(BodyTooLargeException.class, e.getCause()).limit(), path);
            }
        }
        Witnesses.awaitCondition(WAIT, () -> client.poolStats().closedBy(CloseReason.PROTOCOL_ERROR) == 6, () -> client.poolStats().toString());
    }

    @Test
    void reactorConsumesTheBodyWithLimitRateAndCanCancelMidStream() throws Exception {
        long size = 4L * 1024 * 1024;
        server = servers.start(r -> Actions.largeBody(size, false));
        KeepwellHttpClient client = clients.newClient();
        Flow.Publisher<List<ByteBuffer>> body = client.sendAsync(HttpRequest.newBuilder(server.uri("/a")).build(),
                HttpResponse.BodyHandlers.ofPublisher()).get(WAIT.toSeconds(), TimeUnit.SECONDS).body();
        Long total = Flux.from(JdkFlowAdapter.flowPublisherToFlux(body)).limitRate(2)
                .flatMapIterable(list -> list).map(b -> (long) b.remaining()).reduce(0L, Long::sum)
                .block(WAIT);
        assertEquals(size, total);

        Flow.Publisher<List<ByteBuffer>> second = client.sendAsync(HttpRequest.newBuilder(server.uri("/b")).build(),
                HttpResponse.BodyHandlers.ofPublisher()).get(WAIT.toSeconds(), TimeUnit.SECONDS).body();
        List<List<ByteBuffer>> firstThree = JdkFlowAdapter.flowPublisherToFlux(second).take(3).collectList().block(WAIT);
        assertEquals(3, firstThree.size());
        Witnesses.awaitCondition(WAIT, () -> client.poolStats().closedBy(CloseReason.ABORTED) == 1, () -> client.poolStats().toString());
    }

    @Test
    void aReplayableStreamedBodyIsRetriedAndAOneShotBodyIsNot(@TempDir Path dir) throws Exception {
        // The second request on each connection is read, then the connection dies unanswered.
        server = servers.start(r -> r.indexOnConnection() == 1 ? Actions.close() : Actions.ok("got " + r.body().length));
        KeepwellHttpClient client = clients.newClient();
        Path file = Files.write(dir.resolve("f.bin"), new byte[50_000]);
        client.sendAsync(HttpRequest.newBuilder(server.uri("/warm")).build(), HttpResponse.BodyHandlers.ofString()).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        HttpResponse<String> put = client.sendAsync(HttpRequest.newBuilder(server.uri("/file")).PUT(HttpRequest.BodyPublishers.ofFile(file)).build(),
                HttpResponse.BodyHandlers.ofString()).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals("got 50000", put.body());
        assertEquals(1, client.poolStats().retried());

        client.sendAsync(HttpRequest.newBuilder(server.uri("/warm")).build(), HttpResponse.BodyHandlers.ofString()).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        long retriedBefore = client.poolStats().retried(); // the warm-up GET may itself have met a dying connection
        SubmissionPublisher<ByteBuffer> oneShot = new SubmissionPublisher<>();
        CompletableFuture<HttpResponse<String>> f = client.sendAsync(HttpRequest.newBuilder(server.uri("/once"))
                .PUT(HttpRequest.BodyPublishers.fromPublisher(oneShot, 3)).build(), HttpResponse.BodyHandlers.ofString());
        Witnesses.awaitCondition(WAIT, () -> oneShot.getNumberOfSubscribers() == 1, () -> "body not subscribed");
        oneShot.submit(ByteBuffer.wrap(new byte[]{1, 2, 3}));
        oneShot.close();
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertInstanceOf(io.keepwell.http.PrematureCloseException.class, e.getCause());
        assertEquals(retriedBefore, client.poolStats().retried(), "the one-shot body was not sent again");
        assertEquals(1, server.requests().stream().filter(r -> r.target().equals("/once")).count());
    }

    @Test
    void aBodyThatHadFullyArrivedCanStillBeReadAfterTheClientCloses() throws Exception {
        server = servers.start(r -> Actions.ok("all of it"));
        KeepwellHttpClient client = clients.newClient();
        Flow.Publisher<List<ByteBuffer>> body = client.sendAsync(HttpRequest.newBuilder(server.uri("/small")).build(),
                HttpResponse.BodyHandlers.ofPublisher()).get(WAIT.toSeconds(), TimeUnit.SECONDS).body();
        Witnesses.awaitCondition(WAIT, () -> client.poolStats().idle() == 1, () -> "body not fully arrived: " + client.poolStats());
        client.close();
        CompletableFuture<String> read = new CompletableFuture<>();
        body.subscribe(new Flow.Subscriber<>() {
            final StringBuilder text = new StringBuilder();

            @Override
            public void onSubscribe(Flow.Subscription s) {
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(List<ByteBuffer> items) {
                items.forEach(b -> text.append(java.nio.charset.StandardCharsets.UTF_8.decode(b)));
            }

            @Override
            public void onError(Throwable t) {
                read.completeExceptionally(t);
            }

            @Override
            public void onComplete() {
                read.complete(text.toString());
            }
        });
        assertEquals("all of it", read.get(WAIT.toSeconds(), TimeUnit.SECONDS));
    }
}
