package io.keepwell.keepalive;

import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import io.keepwell.keepalive.RetryPolicy.Decision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;


class RetryPolicyTest {

    private static final URI URI_ = URI.create("http://127.0.0.1:1/x");
    private static final HttpRequest GET = HttpRequest.newBuilder(URI_).build();
    private static final HttpRequest POST = HttpRequest.newBuilder(URI_).POST(HttpRequest.BodyPublishers.ofString("x")).build();

    /**
     * Issue 10 item 11: the one retry a request had could land on another stale connection, and it
     * failed. As in Go, a failure on a reused connection before any response byte is retried however
     * often it happens: each such connection is closed, and a pool holds finitely many.
     */
    @Test
    void staleConnectionRetriesAreNotCountedAgainstTheBudget() {
        for (int retriesDone = 0; retriesDone < 10; retriesDone++) {
            assertEquals(RetryPolicy.Decision.RETRY_REPLAYABLE, RetryPolicy.decide(GET, 1, true, false, 100));
            assertEquals(RetryPolicy.Decision.RETRY_NOTHING_WRITTEN, RetryPolicy.decide(POST, 1, true, false, 0));
        }
    }

    @Test
    void aFailureOnAFreshConnectionEndsTheRetries() {
        assertEquals(RetryPolicy.Decision.NO_FRESH_CONNECTION, RetryPolicy.decide(GET, 1, false, false, 0));
    }

    @Test
    void aStartedResponseIsNeverRetried() {
        assertEquals(RetryPolicy.Decision.NO_RESPONSE_STARTED, RetryPolicy.decide(GET, 1, true, true, 0));
    }

    @Test
    void aPostWhoseBytesWereWrittenIsNeverRetried() {
        assertEquals(RetryPolicy.Decision.NO_NOT_REPLAYABLE, RetryPolicy.decide(POST, 1, true, false, 1));
        assertEquals(RetryPolicy.Decision.NO_NOT_REPLAYABLE, RetryPolicy.decide(POST, 5, true, false, 1));
    }

    @Test
    void anIdempotencyKeyMakesAWrittenPostReplayable() {
        HttpRequest keyed = HttpRequest.newBuilder(URI_).header("Idempotency-Key", "k1")
                .POST(HttpRequest.BodyPublishers.ofString("x")).build();
        assertEquals(RetryPolicy.Decision.RETRY_REPLAYABLE, RetryPolicy.decide(keyed, 1, true, false, 1));
    }

    @Test
    void zeroTurnsRetryOff() {
        assertEquals(RetryPolicy.Decision.NO_RETRIES_LEFT, RetryPolicy.decide(GET, 0, true, false, 0));
    }

    private static final URI URI_A = URI.create("http://a.example/");

    private static HttpRequest request(String method) {
        return HttpRequest.newBuilder(URI_A).method(method, BodyPublishers.ofString("x")).build();
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"})
    void idempotentMethodsWithAReplayableBodyAreReplayable(String method) {
        assertTrue(RetryPolicy.isReplayable(request(method)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST", "PATCH"})
    void otherMethodsAreNotReplayable(String method) {
        assertFalse(RetryPolicy.isReplayable(request(method)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Idempotency-Key", "X-Idempotency-Key"})
    void anIdempotencyKeyMakesAPostReplayable(String header) {
        HttpRequest post = HttpRequest.newBuilder(URI_A).header(header, "k1").POST(BodyPublishers.ofString("x")).build();
        assertTrue(RetryPolicy.isReplayable(post));
    }

    @Test
    void aBodyThatCannotBeProducedAgainIsNotReplayable() {
        HttpRequest put = HttpRequest.newBuilder(URI_A)
                .PUT(BodyPublishers.fromPublisher(subscriber -> { })).build();
        assertFalse(RetryPolicy.isReplayable(put));
    }

    @Test
    void onlyTheRetryDecisionsRetry() {
        for (Decision d : Decision.values()) {
            assertEquals(d == Decision.RETRY_NOTHING_WRITTEN || d == Decision.RETRY_REPLAYABLE || d == Decision.RETRY_UNPROCESSED,
                    d.retry(), d.name());
        }
    }

    @Test
    void anUnprocessedRequestGoesAgainWhateverItsMethodEvenAfterItsBytesWereWritten() {
        assertEquals(Decision.RETRY_UNPROCESSED, RetryPolicy.decideUnprocessed(POST, 1, 0, 0));
        assertEquals(Decision.RETRY_UNPROCESSED, RetryPolicy.decideUnprocessed(POST, 1, 0, 500), "an in-memory body can be sent again");
        assertEquals(Decision.RETRY_UNPROCESSED, RetryPolicy.decideUnprocessed(GET, 1, RetryPolicy.MAX_UNPROCESSED_RETRIES - 1, 0));
    }

    @Test
    void anUnprocessedRequestWhoseStreamedBodyWasPartlySentIsNotSentAgain() {
        HttpRequest streamed = HttpRequest.newBuilder(URI_).POST(BodyPublishers.fromPublisher(subscriber -> { })).build();
        assertEquals(Decision.NO_BODY_NOT_REPLAYABLE, RetryPolicy.decideUnprocessed(streamed, 1, 0, 1));
        assertEquals(Decision.RETRY_UNPROCESSED, RetryPolicy.decideUnprocessed(streamed, 1, 0, 0), "none of it was sent");
    }

    @Test
    void unprocessedRetriesAreBoundedAndOffWithRetries() {
        assertEquals(Decision.NO_RETRIES_LEFT, RetryPolicy.decideUnprocessed(GET, 1, RetryPolicy.MAX_UNPROCESSED_RETRIES, 0));
        assertEquals(Decision.NO_RETRIES_LEFT, RetryPolicy.decideUnprocessed(GET, 0, 0, 0));
    }
}
