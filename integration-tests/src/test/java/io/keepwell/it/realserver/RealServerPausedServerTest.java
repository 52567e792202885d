package io.keepwell.it.realserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import io.keepwell.it.support.ClientLeakCheck;
import io.keepwell.it.support.NginxContainer;
import io.keepwell.it.support.RequiresDocker;
import io.keepwell.it.support.Witnesses;
import io.keepwell.netty.KeepwellHttpClient;
import io.keepwell.pool.CloseReason;
import io.keepwell.pool.PoolStats;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * A request waits on a server that is frozen ({@code docker pause}) in the middle of a slow reply.
 * Either its response-header timeout or the caller's {@code cancel} ends it: either must free the
 * connection at once (the frozen server cannot help), and the client must work again once the
 * server does.
 */
@RequiresDocker
@Testcontainers
class RealServerPausedServerTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @Container
    static final NginxContainer nginx = new NginxContainer();

    @RegisterExtension
    final ClientLeakCheck clients = new ClientLeakCheck();

    @Test
    void aRequestToAFrozenServerEndsByItsTimeoutAndTheNextOneSucceedsAfterUnpause() throws Exception {
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1)
                .responseHeaderTimeout(Duration.ofMillis(700)));
        CompletableFuture<HttpResponse<String>> waiting = client.sendAsync(
                HttpRequest.newBuilder(nginx.uri(NginxContainer.delay(Duration.ofSeconds(2)))).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        Witnesses.awaitCondition(WAIT, () -> client.poolStats().active() == 1, () -> "request leased: " + client.poolStats());
        nginx.pause();
        try {
            java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> waiting.get(WAIT.toSeconds(), TimeUnit.SECONDS));
            io.keepwell.http.HttpTimeoutException timeout = org.junit.jupiter.api.Assertions.assertInstanceOf(
                    io.keepwell.http.HttpTimeoutException.class, e.getCause());
            assertEquals(io.keepwell.http.HttpTimeoutException.Phase.RESPONSE_HEADERS, timeout.phase());
            Witnesses.awaitCondition(WAIT, () -> client.poolStats().open() == 0 && client.openChannels() == 0,
                    () -> "connection closed after the timeout: " + client.poolStats());
            assertEquals(1L, client.poolStats().closedBy(CloseReason.TIMEOUT), client.poolStats().toString());
        } finally {
            nginx.unpause();
        }
        assertEquals(200, client.sendAsync(HttpRequest.newBuilder(nginx.uri(NginxContainer.HELLO)).GET().build(),
                HttpResponse.BodyHandlers.ofString()).get(10, TimeUnit.SECONDS).statusCode());
    }

    @Test
    void cancellingARequestToAFrozenServerFreesItsConnection() throws Exception {
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1));
        CompletableFuture<HttpResponse<String>> waiting = client.sendAsync(
                HttpRequest.newBuilder(nginx.uri(NginxContainer.delay(Duration.ofSeconds(2)))).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        Witnesses.awaitCondition(WAIT, () -> client.poolStats().active() == 1, () -> "request leased: " + client.poolStats());
        nginx.pause();
        try {
            // The frozen server keeps the request waiting.
            assertThrows(TimeoutException.class, () -> waiting.get(300, TimeUnit.MILLISECONDS));
            assertTrue(waiting.cancel(true), "cancel took effect");
            Witnesses.awaitCondition(WAIT, () -> {
                PoolStats s = client.poolStats();
                return s.active() == 0 && s.open() == 0 && client.openChannels() == 0;
            }, () -> "connection freed after cancel: " + client.poolStats() + ", channels " + client.openChannels());
            PoolStats stats = client.poolStats();
            assertEquals(1L, stats.closedByReason().get(CloseReason.ABORTED).longValue(), "closed as aborted: " + stats);
        } finally {
            nginx.unpause();
        }
        HttpResponse<String> next = client.sendAsync(HttpRequest.newBuilder(nginx.uri(NginxContainer.HELLO)).GET().build(),
                HttpResponse.BodyHandlers.ofString()).get(10, TimeUnit.SECONDS);
        assertEquals(200, next.statusCode());
        assertEquals(NginxContainer.HELLO_BODY, next.body());
        assertEquals(2, client.poolStats().opened(), "the next request used a new connection: " + client.poolStats());
    }
}
