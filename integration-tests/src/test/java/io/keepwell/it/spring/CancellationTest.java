package io.keepwell.it.spring;

import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.web.client.ResourceAccessException;
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

    @Test
    void webClientMonoTimeoutOnAHeldResponseClosesTheConnection() throws Exception {
        var response = fixture.webClient().get().uri(SpringRoutes.HOLD).retrieve().bodyToMono(String.class)
                .timeout(GIVE_UP_AFTER).toFuture();

        ExecutionException failure = assertThrows(ExecutionException.class,
                () -> response.get(SpringFixture.DEADLINE.toMillis(), TimeUnit.MILLISECONDS));
        assertInstanceOf(TimeoutException.class, failure.getCause());
        assertEquals(1, fixture.server().requestCount(), "the request never reached the server");
        assertCancelClosedTheConnection();
    }

    /*
     * Spring 7.0.10's reactive JdkClientHttpResponse hands out its body as Flux.cache(0): a cancel
     * from the last subscriber never reaches the HttpClient's body subscription, which is then left
     * with no demand, its connection open and stalled. The engine never hears of the cancel, so no
     * java.net.http.HttpClient can pass this under JdkClientHttpConnector until Spring changes that.
     */
    @Disabled("Spring 7.0.10: JdkClientHttpResponse's body is Flux.cache(0), so dispose() never cancels the HttpClient's body subscription")
    @Test
    void webClientDisposeMidBodyClosesTheConnection() throws Exception {
        AtomicLong received = new AtomicLong();
        CountDownLatch partlyRead = new CountDownLatch(1);
        Disposable subscription = fixture.webClient().get().uri(SpringRoutes.ENDLESS).retrieve()
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
        assertCancelClosedTheConnection();
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

    private void assertCancelClosedTheConnection() {
        fixture.awaitServerSawConnectionsClosed();
        fixture.engine().assertLastCancelClosedAsAborted();
    }
}
