package io.keepwell.it.conformance;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
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
     * Sends {@code request} with sendAsync and then with send, and asserts both fail with an
     * instance of {@code type}, of the same class and with a message of the same shape (digits
     * aside: byte counts depend on timing). The message must match {@code jdkMessagePattern} (null:
     * no message) on an engine with the JDK's messages; an engine with its {@link
     * Difference#ERROR_MESSAGES own messages} must give one. The JDK's send throws a new exception of
     * the same class and message (caused by the asynchronous one, except an HttpTimeoutException,
     * which has no cause).
     *
     * @return the exception sendAsync failed with
     */
    static Throwable assertBothFail(Engine engine, HttpClient client, HttpRequest request,
                                    Class<? extends Throwable> type, String jdkMessagePattern) {
        Throwable async = failureOf(client.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
        assertFailure(engine, type, jdkMessagePattern, async);
        Throwable blocking = assertThrows(Throwable.class, () -> client.send(request, HttpResponse.BodyHandlers.ofString()));
        assertFailure(engine, type, jdkMessagePattern, blocking);
        assertSame(async.getClass(), blocking.getClass(), () -> "sendAsync: " + async + ", send: " + blocking);
        assertEquals(shape(async.getMessage()), shape(blocking.getMessage()), "sendAsync's and send's messages");
        return async;
    }

    private static String shape(String message) {
        return message == null ? null : message.replaceAll("\\d+", "#");
    }

    private static void assertFailure(Engine engine, Class<? extends Throwable> type, String jdkMessagePattern,
                                      Throwable failure) {
        assertInstanceOf(type, failure, () -> "failure: " + failure);
        if (engine.has(Difference.ERROR_MESSAGES)) {
            assertTrue(failure.getMessage() != null && !failure.getMessage().isBlank(), () -> "no message: " + failure);
        } else if (jdkMessagePattern == null) {
            assertEquals(null, failure.getMessage());
        } else {
            assertTrue(failure.getMessage() != null && failure.getMessage().matches(jdkMessagePattern),
                    () -> "message \"" + failure.getMessage() + "\" does not match " + jdkMessagePattern);
        }
    }
}
