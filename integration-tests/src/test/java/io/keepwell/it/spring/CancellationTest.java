package io.keepwell.it.spring;

import io.keepwell.it.support.Witnesses;
import io.keepwell.netty.KeepwellHttpClient;
import io.keepwell.pool.CloseReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.Disposable;

import java.io.InputStream;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A caller that gives up on an exchange, before its response or in the middle of its body, cancels
 * it: the server sees its connection closed, and the engine accounts for it as aborted.
 */
class CancellationTest {

    private static final Duration GIVE_UP_AFTER = Duration.ofMillis(500);
    private static final int READ_BEFORE_GIVING_UP = 1 << 20;

    @RegisterExtension
    final SpringFixture fixture = new SpringFixture();

    @ParameterizedTest
    @EnumSource(WebClientConnector.class)
    void webClientMonoTimeoutOnAHeldResponseClosesTheConnection(WebClientConnector connector) throws Exception {
        var response = fixture.webClient(connector).get().uri(SpringRoutes.HOLD).retrieve().bodyToMono(String.class)
                .timeout(GIVE_UP_AFTER).toFuture();

        ExecutionException failure = assertThrows(ExecutionException.class,
                () -> response.get(SpringFixture.DEADLINE.toMillis(), TimeUnit.MILLISECONDS));
        assertInstanceOf(TimeoutException.class, failure.getCause());
        assertEquals(1, fixture.server().requestCount(), "the request never reached the server");
        assertCancelClosedTheConnection();
    }

    /** Over Keepwell's connector the body is the client's subscription: dispose() cancels it, and the connection closes. */
    @Test
    void webClientDisposeMidBodyClosesTheConnection() throws Exception {
        readPartOfTheEndlessBodyThenDispose(fixture.webClient(WebClientConnector.KEEPWELL));
        assertCancelClosedTheConnection();
    }

    /*
     * Spring 7.0.10's reactive JdkClientHttpResponse hands out its body as Flux.cache(0): a cancel
     * from the last subscriber never reaches the HttpClient's body subscription, which is then left
     * with no demand, its connection open and stalled. No java.net.http.HttpClient hears of the
     * cancel; Keepwell's abandoned-body timeout is what ends that exchange, as ABANDONED, not ABORTED.
     */
    @Test
    void jdkConnectorDisposeMidBodyLeavesTheConnectionOpenUntilTheAbandonedBodyTimeout() throws Exception {
        Duration abandonedBodyTimeout = Duration.ofSeconds(1);
        KeepwellHttpClient client = KeepwellHttpClient.newBuilder().abandonedBodyTimeout(abandonedBodyTimeout).build();
        try {
            long disposedAt = readPartOfTheEndlessBodyThenDispose(fixture.webClient(WebClientConnector.JDK, client));

            assertEquals(1, fixture.server().openConnections(), "the connection closed on dispose()");
            Witnesses.awaitCondition(SpringFixture.DEADLINE, () -> client.poolStats().closedBy(CloseReason.ABANDONED) == 1,
                    () -> "the abandoned-body timeout did not close the stalled connection: " + client.poolStats());
            long openFor = System.nanoTime() - disposedAt;
            fixture.awaitServerSawConnectionsClosed();

            assertEquals(0, client.poolStats().closedBy(CloseReason.ABORTED), "the cancel reached the client after all");
            // The timer starts once the cached body's outstanding demand is spent, after dispose(); half
            // the timeout leaves room for that demand having run out just before it.
            assertTrue(openFor >= abandonedBodyTimeout.toNanos() / 2,
                    "closed " + Duration.ofNanos(openFor).toMillis() + " ms after dispose(), before the abandoned-body timeout");
        } finally {
            client.closeAsync().get(SpringFixture.DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @Test
    void restClientReadTimeoutOnAHeldResponseClosesTheConnection() {
        var client = fixture.restClient(GIVE_UP_AFTER);

        ResourceAccessException failure = assertTimeoutPreemptively(SpringFixture.DEADLINE,
                () -> assertThrows(ResourceAccessException.class,
                        () -> client.get().uri(SpringRoutes.HOLD).retrieve().toBodilessEntity()));
        assertInstanceOf(HttpTimeoutException.class, failure.getCause());
        assertCancelClosedTheConnection();
    }

    /** RestClient drains a body on close, so a caller abandoning an endless body closes its stream first. */
    @Test
    void restClientClosingTheBodyStreamMidBodyClosesTheConnection() {
        var client = fixture.restClient();

        int read = assertTimeoutPreemptively(SpringFixture.DEADLINE,
                () -> client.get().uri(SpringRoutes.ENDLESS).exchange((request, response) -> {
                    InputStream body = response.getBody();
                    int n = body.readNBytes(READ_BEFORE_GIVING_UP).length;
                    body.close();
                    return n;
                }));
        assertEquals(READ_BEFORE_GIVING_UP, read);
        assertCancelClosedTheConnection();
    }

    /** Subscribes to the endless body, reads a part, disposes the subscription; returns System.nanoTime() of the dispose. */
    private static long readPartOfTheEndlessBodyThenDispose(WebClient client) throws InterruptedException {
        AtomicLong received = new AtomicLong();
        CountDownLatch partlyRead = new CountDownLatch(1);
        Disposable subscription = client.get().uri(SpringRoutes.ENDLESS).retrieve()
                .bodyToFlux(DataBuffer.class)
                .subscribe(buffer -> {
                    if (received.addAndGet(buffer.readableByteCount()) >= READ_BEFORE_GIVING_UP) {
                        partlyRead.countDown();
                    }
                    DataBufferUtils.release(buffer);
                });
        try {
            assertTrue(partlyRead.await(SpringFixture.DEADLINE.toMillis(), TimeUnit.MILLISECONDS),
                    "only " + received.get() + " body bytes arrived");
        } finally {
            subscription.dispose();
        }
        return System.nanoTime();
    }

    private void assertCancelClosedTheConnection() {
        fixture.awaitServerSawConnectionsClosed();
        fixture.engine().assertLastCancelClosedAsAborted();
    }
}
