package io.keepwell.it.streaming;

import io.keepwell.http.BorrowingBodySubscriber;
import io.keepwell.http.KeepwellBodyHandlers;
import io.keepwell.it.support.Actions;
import io.keepwell.it.support.ClientLeakCheck;
import io.keepwell.it.support.ScriptedServer;
import io.keepwell.it.support.ScriptedServers;
import io.keepwell.netty.KeepwellHttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Who owns the buffers a response body arrives in (issue 14 item 2). A plain subscriber is given
 * copies it may keep: every buffer it kept still holds its bytes after the whole body went
 * through the decoder's memory. A {@link BorrowingBodySubscriber} is lent read-only views of that
 * memory, valid during {@code onNext}; a chunk that waited for its demand reaches it as a copy.
 */
class BodyBufferOwnershipTest {

    private static final int SIZE = 1024 * 1024 + 17; // many reads, many chunks

    @RegisterExtension
    final ScriptedServers servers = new ScriptedServers();

    @RegisterExtension
    final ClientLeakCheck clients = new ClientLeakCheck();

    /** Keeps every buffer it is given, as the JDK's {@code ofByteArray} does, and checks them all at the end. */
    private static class Keeping implements HttpResponse.BodySubscriber<List<ByteBuffer>> {
        final CompletableFuture<List<ByteBuffer>> body = new CompletableFuture<>();
        final List<ByteBuffer> kept = new ArrayList<>();
        boolean anyReadOnly;

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            for (ByteBuffer item : items) {
                anyReadOnly |= item.isReadOnly();
                kept.add(item);
            }
        }

        @Override
        public void onError(Throwable throwable) {
            body.completeExceptionally(throwable);
        }

        @Override
        public void onComplete() {
            body.complete(kept);
        }

        @Override
        public CompletionStage<List<ByteBuffer>> getBody() {
            return body;
        }
    }

    /** Checks each lent view inside onNext, counts what it saw, keeps nothing. */
    private static final class Borrowing implements BorrowingBodySubscriber<Long> {
        final CompletableFuture<Long> body = new CompletableFuture<>();
        final long requestEach; // demand in onSubscribe; 0 more from onNext unless Long.MAX_VALUE
        final java.util.concurrent.CountDownLatch first = new java.util.concurrent.CountDownLatch(1);
        volatile Flow.Subscription subscription;
        long position;
        int views;
        int writableBuffers;
        String mismatch;

        Borrowing(long requestEach) {
            this.requestEach = requestEach;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            subscription.request(requestEach);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            for (ByteBuffer item : items) {
                if (item.isReadOnly()) {
                    views++;
                } else {
                    writableBuffers++;
                }
                while (item.hasRemaining()) {
                    byte b = item.get();
                    if (mismatch == null && b != Actions.patternByte(position)) {
                        mismatch = "byte " + position;
                    }
                    position++;
                }
            }
            first.countDown();
        }

        @Override
        public void onError(Throwable throwable) {
            body.completeExceptionally(throwable);
        }

        @Override
        public void onComplete() {
            body.complete(position);
        }

        @Override
        public CompletionStage<Long> getBody() {
            return body;
        }
    }

    private static void assertPattern(List<ByteBuffer> buffers) {
        long position = 0;
        for (ByteBuffer buffer : buffers) {
            ByteBuffer b = buffer.duplicate();
            while (b.hasRemaining()) {
                byte got = b.get();
                if (got != Actions.patternByte(position)) {
                    throw new AssertionError("kept buffer changed at byte " + position);
                }
                position++;
            }
        }
        assertEquals(SIZE, position);
    }

    private <T> T get(KeepwellHttpClient client, URI uri, HttpResponse.BodyHandler<T> handler) throws Exception {
        return client.sendAsync(HttpRequest.newBuilder(uri).build(), handler).get(30, TimeUnit.SECONDS).body();
    }

    @ParameterizedTest(name = "chunked={0}")
    @ValueSource(booleans = {false, true})
    void aPlainSubscriberKeepsCopiesThatNothingOverwrites(boolean chunked) throws Exception {
        ScriptedServer server = servers.start(r -> Actions.largeBody(SIZE, chunked));
        KeepwellHttpClient client = clients.newClient();
        Keeping keeping = new Keeping();
        List<ByteBuffer> kept = get(client, server.uri("/big"), info -> keeping);
        assertFalse(keeping.anyReadOnly, "a plain subscriber was lent a view");
        assertTrue(kept.size() > 1, "one chunk only: " + kept.size());
        // A second body through the same connection reuses the memory the first arrived in.
        get(client, server.uri("/big"), info -> new Keeping());
        assertPattern(kept);
    }

    @Test
    void aBorrowingSubscriberWithDemandIsLentViews() throws Exception {
        ScriptedServer server = servers.start(r -> Actions.largeBody(SIZE, false));
        KeepwellHttpClient client = clients.newClient();
        Borrowing borrowing = new Borrowing(Long.MAX_VALUE);
        long read = get(client, server.uri("/big"), info -> borrowing);
        assertEquals(SIZE, read);
        assertEquals(null, borrowing.mismatch);
        assertTrue(borrowing.views > 0);
        assertEquals(0, borrowing.writableBuffers, "copies made for a subscriber that borrows");
    }

    @Test
    void aBorrowingSubscriberWithoutDemandGetsTheWaitingChunksAsCopies() throws Exception {
        ScriptedServer server = servers.start(r -> Actions.largeBody(SIZE, false));
        KeepwellHttpClient client = clients.newClient();
        Borrowing borrowing = new Borrowing(1); // one chunk, then no demand: the next chunk waits, queued
        CompletableFuture<HttpResponse<Long>> response = client.sendAsync(HttpRequest.newBuilder(server.uri("/big")).build(),
                info -> borrowing);
        assertTrue(borrowing.first.await(30, TimeUnit.SECONDS), "no first chunk");
        io.keepwell.it.support.Witnesses.awaitCondition(java.time.Duration.ofSeconds(30), () -> client.bufferedBodyBytes() > 0,
                () -> "no chunk queued: " + client.bufferedBodyBytes());
        borrowing.subscription.request(Long.MAX_VALUE);
        assertEquals(SIZE, response.get(30, TimeUnit.SECONDS).body().longValue());
        assertEquals(null, borrowing.mismatch);
        assertTrue(borrowing.writableBuffers > 0, "the queued chunk was lent, not copied");
        assertTrue(borrowing.views > 1, "the chunks after the queue were copied, not lent");
    }

    @ParameterizedTest(name = "chunked={0}")
    @ValueSource(booleans = {false, true})
    void theBoundedByteArrayHandlerCopiesFromViewsIntoTheBody(boolean chunked) throws Exception {
        ScriptedServer server = servers.start(r -> Actions.largeBody(SIZE, chunked));
        KeepwellHttpClient client = clients.newClient();
        byte[] body = get(client, server.uri("/big"), KeepwellBodyHandlers.ofByteArray(SIZE));
        assertEquals(SIZE, body.length);
        for (int i = 0; i < body.length; i++) {
            if (body[i] != Actions.patternByte(i)) {
                throw new AssertionError("byte " + i);
            }
        }
    }
}
