package io.keepwell.netty.handler;

import io.keepwell.http.HttpProtocolException;
import java.net.http.HttpResponse;
import io.keepwell.http.PrematureCloseException;
import io.keepwell.pool.CloseReason;
import io.keepwell.pool.ConnState;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hostile responses through the real pipeline on an {@code EmbeddedChannel}: regression tests named after the bugs. */
class ExchangeReaderHostileTest {

    private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi";

    private static Throwable failureOf(CompletableFuture<?> f) {
        assertTrue(f.isDone(), "the future is not complete");
        return assertThrows(CompletionException.class, f::join).getCause();
    }

    @Test
    void closeAfterAnInterimResponseIsDuringHeadersNotBeforeTheResponse() {
        try (ReaderHarness h = new ReaderHarness()) {
            CompletableFuture<HttpResponse<String>> f = h.begin(HttpResponse.BodyHandlers.ofString());
            h.feed("HTTP/1.1 100 Continue\r\n\r\n");
            assertFalse(f.isDone());
            h.peerClose();
            PrematureCloseException e = assertInstanceOf(PrematureCloseException.class, failureOf(f));
            assertEquals(PrematureCloseException.Phase.DURING_HEADERS, e.phase(),
                    "response bytes were read: the request must not look unanswered (it would be retried)");
            assertEquals(1, h.stats().closedBy(CloseReason.PEER_CLOSED));
        }
    }

    @Test
    void closeWithNoResponseByteIsBeforeTheResponse() {
        try (ReaderHarness h = new ReaderHarness()) {
            CompletableFuture<HttpResponse<String>> f = h.begin(HttpResponse.BodyHandlers.ofString());
            h.peerClose();
            PrematureCloseException e = assertInstanceOf(PrematureCloseException.class, failureOf(f));
            assertEquals(PrematureCloseException.Phase.BEFORE_RESPONSE, e.phase());
        }
    }

    @Test
    void aSaneResponseIsDeliveredAndTheConnectionPooled() {
        try (ReaderHarness h = new ReaderHarness()) {
            CompletableFuture<HttpResponse<String>> f = h.begin(HttpResponse.BodyHandlers.ofString());
            h.feed(OK);
            assertEquals("hi", f.join().body());
            assertEquals(ConnState.IDLE, h.state());
            assertTrue(h.leaseAgain());
            CompletableFuture<HttpResponse<String>> again = h.begin(java.net.http.HttpRequest.newBuilder(ReaderHarness.URI_).build(),
                    HttpResponse.BodyHandlers.ofString(), true);
            h.feed(OK);
            assertEquals("hi", again.join().body());
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"1000", "2000", "42", "0"})
    void statusCodesOfOtherThanThreeDigitsAreProtocolErrors(String code) {
        try (ReaderHarness h = new ReaderHarness()) {
            CompletableFuture<HttpResponse<String>> f = h.begin(HttpResponse.BodyHandlers.ofString());
            h.feed("HTTP/1.1 " + code + " OK\r\nContent-Length: 2\r\n\r\nhi");
            assertProtocolError(h, f);
        }
    }

    /** Netty 4.2 refuses Content-Length with chunked; with another coding it used to frame by Content-Length and pool. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"gzip", "identity", "chunked", "gzip, chunked"})
    void contentLengthWithAnyTransferEncodingIsAProtocolError(String coding) {
        try (ReaderHarness h = new ReaderHarness()) {
            CompletableFuture<HttpResponse<String>> f = h.begin(HttpResponse.BodyHandlers.ofString());
            h.feed("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: " + coding + "\r\n\r\n2\r\nhi\r\n0\r\n\r\n");
            assertProtocolError(h, f);
        }
    }

    /** Bytes past a response's framed end were left in the decoder and the connection pooled: the next response began with them. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"XYZ", "HTTP/1.1 200 OK\r\nContent-Le", "\r\n\r\nHTTP/1.1 200", "0"})
    void bytesBeyondTheResponseMakeTheConnectionUnusable(String stray) {
        try (ReaderHarness h = new ReaderHarness()) {
            CompletableFuture<HttpResponse<String>> f = h.begin(HttpResponse.BodyHandlers.ofString());
            h.feed(OK + stray);
            assertEquals("hi", f.join().body());
            assertEquals(ConnState.CLOSED, h.state());
            assertEquals(1, h.stats().refused(io.keepwell.pool.RefuseReason.NOT_REUSABLE));
            assertEquals(1, h.stats().closedBy(CloseReason.REFUSED));
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"Content-Length: 5\r\n", "Content-Length: 1\r\n"})
    void aNoContentResponseThatFramesABodyIsNotReused(String framing) {
        try (ReaderHarness h = new ReaderHarness()) {
            CompletableFuture<HttpResponse<String>> f = h.begin(HttpResponse.BodyHandlers.ofString());
            h.feed("HTTP/1.1 204 No Content\r\n" + framing + "\r\n");
            assertEquals(204, f.join().statusCode());
            assertEquals(ConnState.CLOSED, h.state());
            assertEquals(1, h.stats().closedBy(CloseReason.REFUSED));
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"", "HTTP/1.1 100 Continue\r\n\r\n", "HTTP/1.1 103 Early Hints\r\nLink: <x>\r\n\r\n"})
    void aHeadResponseHasNoBodyWhateverItsLengthAndTheConnectionIsPooled(String interim) {
        try (ReaderHarness h = new ReaderHarness()) {
            CompletableFuture<HttpResponse<String>> f = h.begin(java.net.http.HttpRequest.newBuilder(ReaderHarness.URI_).method("HEAD", java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString(), false);
            h.feed(interim + "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
            assertEquals("", f.join().body());
            assertEquals(ConnState.IDLE, h.state());
            assertTrue(h.leaseAgain());
            CompletableFuture<HttpResponse<String>> get = h.begin(HttpResponse.BodyHandlers.ofString());
            h.feed("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
            assertEquals("hello", get.join().body());
        }
    }

    /** Issue 10 item 4: HEAD and 304 sized their body by the announced length, which they cannot have (past the limit: BodyTooLargeException). */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"HEAD", "304"})
    void aBodylessResponseAnnouncingMoreThanTheLimitIsReadAsEmpty(String kind) {
        try (ReaderHarness h = new ReaderHarness()) {
            java.net.http.HttpRequest.Builder request = java.net.http.HttpRequest.newBuilder(ReaderHarness.URI_);
            CompletableFuture<HttpResponse<String>> f = h.begin(kind.equals("HEAD") ? request.method("HEAD", java.net.http.HttpRequest.BodyPublishers.noBody()).build() : request.build(),
                    io.keepwell.http.KeepwellBodyHandlers.ofString(32 * 1024 * 1024), false);
            h.feed((kind.equals("HEAD") ? "HTTP/1.1 200 OK" : "HTTP/1.1 304 Not Modified") + "\r\nContent-Length: 100000000\r\n\r\n");
            assertEquals("", f.join().body());
            assertEquals("100000000", f.join().headers().firstValue("content-length").orElseThrow(), "the header is the server's");
            assertEquals(ConnState.IDLE, h.state());
        }
    }

    /** Issue 10 item 6: HEAD of a 1 MB resource, discarded, closed the connection (its length exceeds the discard budget, though no body follows). */
    @Test
    void discardedHeadResponsesAnnouncingMoreThanTheBudgetReuseOneConnection() {
        try (ReaderHarness h = new ReaderHarness()) {
            for (int i = 0; i < 3; i++) {
                if (i > 0) {
                    assertTrue(h.leaseAgain(), "HEAD " + i + ": the connection was not pooled");
                }
                CompletableFuture<HttpResponse<Void>> f = h.begin(java.net.http.HttpRequest.newBuilder(ReaderHarness.URI_).method("HEAD", java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
                        io.keepwell.http.KeepwellBodyHandlers.discarding(), i > 0);
                h.feed("HTTP/1.1 200 OK\r\nContent-Length: 1048576\r\n\r\n");
                assertEquals(200, f.join().statusCode());
                assertEquals(ConnState.IDLE, h.state(), "HEAD " + i);
            }
            assertEquals(0, h.stats().closedBy(CloseReason.REFUSED));
        }
    }

    /** Issue 10 item 6, the same for a 304 (which may carry the Content-Length of the representation). */
    @Test
    void discardedNotModifiedResponsesAnnouncingMoreThanTheBudgetReuseOneConnection() {
        try (ReaderHarness h = new ReaderHarness()) {
            for (int i = 0; i < 3; i++) {
                if (i > 0) {
                    assertTrue(h.leaseAgain(), "304 " + i + ": the connection was not pooled");
                }
                CompletableFuture<HttpResponse<Void>> f = h.begin(java.net.http.HttpRequest.newBuilder(ReaderHarness.URI_).build(),
                        io.keepwell.http.KeepwellBodyHandlers.discarding(), i > 0);
                h.feed("HTTP/1.1 304 Not Modified\r\nContent-Length: 1048576\r\n\r\n");
                assertEquals(304, f.join().statusCode());
                assertEquals(ConnState.IDLE, h.state(), "304 " + i);
            }
            assertEquals(0, h.stats().closedBy(CloseReason.REFUSED));
        }
    }

    /**
     * Issue 10 item 8: Netty strips {@code chunked} from a response that is always empty, so the
     * 204 looked clean and was pooled; its {@code 0\r\n\r\n}, arriving in a later read, then
     * spoiled the next response. A response that must be empty but frames a body is never pooled.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"chunked", "gzip, chunked"})
    void aNoContentResponseWithTransferEncodingIsNotReusedEvenWhenItsChunksComeLater(String coding) {
        try (ReaderHarness h = new ReaderHarness()) {
            CompletableFuture<HttpResponse<String>> f = h.begin(HttpResponse.BodyHandlers.ofString());
            h.feed("HTTP/1.1 204 No Content\r\nTransfer-Encoding: " + coding + "\r\n\r\n");
            assertEquals(204, f.join().statusCode());
            assertEquals(ConnState.CLOSED, h.state());
            assertEquals(1, h.stats().closedBy(CloseReason.REFUSED));
            h.feed("0\r\n\r\n");
        }
    }

    /** Issue 10 item 4: an OutOfMemoryError on the I/O thread was reported as the server's HttpProtocolException. */
    @Test
    void anErrorIsNeverReportedAsAProtocolError() {
        OutOfMemoryError oom = new OutOfMemoryError("simulated");
        try (ReaderHarness h = new ReaderHarness()) {
            CompletableFuture<HttpResponse<String>> f = h.begin(info -> new HttpResponse.BodySubscriber<String>() {
                final HttpResponse.BodySubscriber<String> delegate = HttpResponse.BodySubscribers.ofString(java.nio.charset.StandardCharsets.UTF_8);

                @Override
                public java.util.concurrent.CompletionStage<String> getBody() {
                    return delegate.getBody();
                }

                @Override
                public void onSubscribe(java.util.concurrent.Flow.Subscription subscription) {
                    delegate.onSubscribe(subscription);
                }

                @Override
                public void onNext(java.util.List<java.nio.ByteBuffer> item) {
                    throw oom;
                }

                @Override
                public void onError(Throwable throwable) {
                    delegate.onError(throwable);
                }

                @Override
                public void onComplete() {
                    delegate.onComplete();
                }
            });
            h.feed(OK);
            h.channel.runPendingTasks();
            Throwable failure = failureOf(f);
            assertTrue(failure == oom, "failed with " + failure);
            assertEquals(ConnState.CLOSED, h.state());
        }
    }

    @Test
    void aFloodOfInterimResponsesIsAProtocolError() {
        try (ReaderHarness h = new ReaderHarness()) {
            CompletableFuture<HttpResponse<String>> f = h.begin(HttpResponse.BodyHandlers.ofString());
            h.feed("HTTP/1.1 102 Processing\r\n\r\n".repeat(ExchangeReader.MAX_INTERIM_RESPONSES));
            assertFalse(f.isDone());
            h.feed("HTTP/1.1 102 Processing\r\n\r\n".repeat(100));
            assertProtocolError(h, f);
        }
    }

    @Test
    void upToTheBoundInterimResponsesAreSkipped() {
        try (ReaderHarness h = new ReaderHarness()) {
            CompletableFuture<HttpResponse<String>> f = h.begin(HttpResponse.BodyHandlers.ofString());
            h.feed("HTTP/1.1 103 Early Hints\r\nLink: <x>\r\n\r\n".repeat(ExchangeReader.MAX_INTERIM_RESPONSES) + OK);
            assertEquals("hi", f.join().body());
            assertEquals(ConnState.IDLE, h.state());
        }
    }

    static void assertProtocolError(ReaderHarness h, CompletableFuture<?> f) {
        assertInstanceOf(HttpProtocolException.class, failureOf(f));
        assertEquals(ConnState.CLOSED, h.state());
        assertEquals(1, h.stats().closedBy(CloseReason.PROTOCOL_ERROR));
    }
}
