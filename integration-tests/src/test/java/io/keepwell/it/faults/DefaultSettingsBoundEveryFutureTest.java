package io.keepwell.it.faults;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import io.keepwell.http.HttpTimeoutException;
import io.keepwell.it.support.ClientLeakCheck;
import io.keepwell.netty.KeepwellHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * With nothing but the default settings, a server that never reads the request, one that never
 * answers, and one that trickles its headers forever each end their request with a timeout of
 * the phase that bounds it, well within the sum of the defaults. The three run at once, so the
 * test takes about the longest default (60 s), not their sum.
 */
class DefaultSettingsBoundEveryFutureTest {

    @RegisterExtension
    final ClientLeakCheck clients = new ClientLeakCheck();

    private HeadFirstServer server;

    @BeforeEach
    void start() throws IOException {
        server = new HeadFirstServer();
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    @Test
    void aServerThatNeverReadsNeverAnswersOrTricklesEndsEveryRequestUnderTheDefaults() throws Exception {
        KeepwellHttpClient.Builder defaults = KeepwellHttpClient.newBuilder();
        KeepwellHttpClient client = clients.newClient(defaults);
        Duration sum = Duration.ZERO;
        for (HttpTimeoutException.Phase phase : HttpTimeoutException.Phase.values()) {
            sum = sum.plus(defaults.limit(phase).orElse(Duration.ZERO));
        }
        Map<HttpTimeoutException.Phase, CompletableFuture<HttpResponse<String>>> byPhase = new EnumMap<>(HttpTimeoutException.Phase.class);
        long started = System.nanoTime();
        // larger than loopback's socket buffers, so the upload stalls
        byPhase.put(HttpTimeoutException.Phase.WRITE, client.sendAsync(HttpRequest.newBuilder(server.uri("/stop-reading"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[32 << 20])).build(), HttpResponse.BodyHandlers.ofString()));
        byPhase.put(HttpTimeoutException.Phase.RESPONSE_HEADERS, client.sendAsync(HttpRequest.newBuilder(server.uri("/never-answer"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[100])).build(), HttpResponse.BodyHandlers.ofString()));
        // RESPONSE_HEADERS too: its limit runs from the request's last byte to the end of the headers
        CompletableFuture<HttpResponse<String>> trickled = client.sendAsync(
                HttpRequest.newBuilder(server.uri("/trickle-headers")).build(), HttpResponse.BodyHandlers.ofString());
        Duration bound = sum;
        for (var entry : byPhase.entrySet()) {
            assertTimedOut(entry.getValue(), entry.getKey(), defaults.limit(entry.getKey()).orElseThrow(), started, bound);
        }
        assertTimedOut(trickled, HttpTimeoutException.Phase.RESPONSE_HEADERS,
                defaults.limit(HttpTimeoutException.Phase.RESPONSE_HEADERS).orElseThrow(), started, bound);
        HttpResponse<String> next = client.sendAsync(HttpRequest.newBuilder(server.uri("/ok")).build(),
                HttpResponse.BodyHandlers.ofString()).get(30, TimeUnit.SECONDS);
        assertEquals("ok", next.body());
    }

    private static void assertTimedOut(CompletableFuture<?> future, HttpTimeoutException.Phase phase, Duration limit,
                                       long started, Duration bound) throws InterruptedException {
        Throwable failure;
        try {
            Object value = future.get(bound.toSeconds(), TimeUnit.SECONDS);
            fail(phase + ": expected a timeout, got " + value);
            return;
        } catch (ExecutionException e) {
            failure = e.getCause();
        } catch (java.util.concurrent.TimeoutException e) {
            future.cancel(true);
            fail(phase + ": the future did not complete within the defaults' sum, " + bound);
            return;
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertTrue(failure instanceof HttpTimeoutException t && t.phase() == phase,
                () -> "expected a " + phase + " timeout, got " + failure);
        assertTrue(took.compareTo(limit) >= 0, () -> phase + " ended after " + took + ", before its limit " + limit);
        assertTrue(took.compareTo(bound) < 0, () -> phase + " ended after " + took + ", past the defaults' sum " + bound);
    }
}
