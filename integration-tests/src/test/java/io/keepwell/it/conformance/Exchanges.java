package io.keepwell.it.conformance;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Waiting on exchanges, and the shape of their failures. */
final class Exchanges {

    /** How long any single exchange may take before the test calls it hung. */
    static final Duration WAIT = Duration.ofSeconds(10);

    private Exchanges() {}

    static <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The exception {@code future} fails with. */
    static Throwable failureOf(CompletableFuture<?> future) {
        return assertThrows(ExecutionException.class, () -> await(future)).getCause();
    }

    /**
     * Sends {@code request} with sendAsync and then with send, and asserts both fail with exactly
     * {@code type} and a message matching {@code messagePattern} (null: no message). The JDK's send
     * throws a new exception of the same class and message (caused by the asynchronous one, except
     * an HttpTimeoutException, which has no cause).
     *
     * @return the exception sendAsync failed with
     */
    static Throwable assertBothFail(HttpClient client, HttpRequest request, Class<? extends Throwable> type,
                                    String messagePattern) {
        Throwable async = failureOf(client.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
        assertFailure(type, messagePattern, async);
        Throwable blocking = assertThrows(Throwable.class, () -> client.send(request, HttpResponse.BodyHandlers.ofString()));
        assertFailure(type, messagePattern, blocking);
        return async;
    }

    private static void assertFailure(Class<? extends Throwable> type, String messagePattern, Throwable failure) {
        assertSame(type, failure.getClass(), () -> "failure: " + failure);
        if (messagePattern == null) {
            assertEquals(null, failure.getMessage());
        } else {
            assertTrue(failure.getMessage() != null && failure.getMessage().matches(messagePattern),
                    () -> "message \"" + failure.getMessage() + "\" does not match " + messagePattern);
        }
    }
}
