package io.keepwell.keepalive;

import io.keepwell.http.HttpRequest;
import io.keepwell.http.HttpRequest.BodyPublishers;
import io.keepwell.keepalive.RetryPolicy.Decision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Go's retry rule, decided from recorded facts only. */
class RetryPolicyTest {

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
                .PUT(BodyPublishers.ofPublisher(subscriber -> { }, -1)).build();
        assertFalse(put.bodyPublisher().isReplayable());
        assertFalse(RetryPolicy.isReplayable(put));
    }

    @Test
    void decidesFromTheRecordedFacts() {
        HttpRequest get = request("GET");
        HttpRequest post = request("POST");
        assertEquals(Decision.NO_RETRIES_LEFT, RetryPolicy.decide(get, 0, 0, true, false, 0), "maxRetries 0 turns retry off");
        assertEquals(Decision.NO_FRESH_CONNECTION, RetryPolicy.decide(get, 0, 1, false, false, 0));
        assertEquals(Decision.NO_RESPONSE_STARTED, RetryPolicy.decide(get, 0, 1, true, true, 0));
        assertEquals(Decision.RETRY_NOTHING_WRITTEN, RetryPolicy.decide(post, 0, 1, true, false, 0));
        assertEquals(Decision.RETRY_REPLAYABLE, RetryPolicy.decide(get, 0, 1, true, false, 10));
        assertEquals(Decision.NO_NOT_REPLAYABLE, RetryPolicy.decide(post, 0, 1, true, false, 1));
    }

    @Test
    void onlyTheRetryDecisionsRetry() {
        for (Decision d : Decision.values()) {
            assertEquals(d == Decision.RETRY_NOTHING_WRITTEN || d == Decision.RETRY_REPLAYABLE, d.retry(), d.name());
        }
    }
}
