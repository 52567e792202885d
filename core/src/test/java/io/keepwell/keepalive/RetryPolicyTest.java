package io.keepwell.keepalive;

import io.keepwell.http.HttpRequest;
import org.junit.jupiter.api.Test;

import java.net.URI;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
