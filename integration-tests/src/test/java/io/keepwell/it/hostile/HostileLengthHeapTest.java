package io.keepwell.it.hostile;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import io.keepwell.it.support.ClientLeakCheck;
import io.keepwell.it.support.Poll;
import io.keepwell.it.support.ScriptedServer;
import io.keepwell.it.support.ScriptedServers;
import io.keepwell.netty.KeepwellHttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 10 item 4: {@code ofString()} allocated the announced {@code Content-Length} up front. 12
 * responses announcing 30 MB and sending 1 byte held 210 MiB of a 256 MiB heap; the rest died
 * with {@code OutOfMemoryError} on the I/O thread. The heap may grow by what was sent, not by what
 * was announced.
 */
class HostileLengthHeapTest {

    private static final int RESPONSES = 50;
    private static final long ANNOUNCED = 30_000_000;

    @RegisterExtension
    final ScriptedServers servers = new ScriptedServers();

    @RegisterExtension
    final ClientLeakCheck clients = new ClientLeakCheck();

    @Test
    void manyResponsesAnnouncingHugeLengthsHoldOnlyWhatTheySent() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        byte[] head = ("HTTP/1.1 200 OK\r\nContent-Length: " + ANNOUNCED + "\r\n\r\nx").getBytes(StandardCharsets.ISO_8859_1);
        ScriptedServer server = servers.start(r -> (request, socket, out) -> {
            out.write(head);
            out.flush();
            release.await(60, TimeUnit.SECONDS); // holds the connection until the test has measured
            return false;
        });
        KeepwellHttpClient client = clients.newClient();
        long before = heapAfterGc();
        AtomicLong arrived = new AtomicLong();
        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        for (int i = 0; i < RESPONSES; i++) {
            responses.add(client.sendAsync(HttpRequest.newBuilder(server.uri("/r" + i)).build(), info -> counting(
                    HttpResponse.BodyHandlers.ofString().apply(info), arrived)));
        }
        Poll.until(arrived::get, n -> n == RESPONSES, Duration.ofSeconds(30), "every response's one byte arrives");
        long growth = heapAfterGc() - before;
        assertTrue(growth < 64L * 1024 * 1024, "the heap grew by " + growth / (1024 * 1024) + " MiB for " + RESPONSES
                + " bytes received (" + RESPONSES * ANNOUNCED / (1024 * 1024) + " MiB announced)");
        for (CompletableFuture<HttpResponse<String>> f : responses) {
            assertTrue(f.cancel(true));
        }
        release.countDown(); // only now: a server that lets go first would fail the exchanges before their cancel
        Poll.until(client::openChannels, n -> n == 0, Duration.ofSeconds(10), "the cancelled exchanges' channels close");
        assertEquals(0, client.poolStats().active());
    }

    private static long heapAfterGc() throws InterruptedException {
        var memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            memory.gc();
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    /** Counts body bytes as they reach {@code delegate}. */
    private static <T> HttpResponse.BodySubscriber<T> counting(HttpResponse.BodySubscriber<T> delegate, AtomicLong arrived) {
        return new HttpResponse.BodySubscriber<>() {
            @Override
            public java.util.concurrent.CompletionStage<T> getBody() {
                return delegate.getBody();
            }

            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                delegate.onSubscribe(subscription);
            }

            @Override
            public void onNext(List<ByteBuffer> item) {
                long n = item.stream().mapToLong(ByteBuffer::remaining).sum();
                delegate.onNext(item);
                arrived.addAndGet(n);
            }

            @Override
            public void onError(Throwable throwable) {
                delegate.onError(throwable);
            }

            @Override
            public void onComplete() {
                delegate.onComplete();
            }
        };
    }
}
