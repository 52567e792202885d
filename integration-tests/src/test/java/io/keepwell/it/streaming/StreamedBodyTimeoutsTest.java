package io.keepwell.it.streaming;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import io.keepwell.http.HttpTimeoutException;
import io.keepwell.it.support.Actions;
import io.keepwell.it.support.ClientLeakCheck;
import io.keepwell.it.support.Drain;
import io.keepwell.it.support.ScriptedServer;
import io.keepwell.it.support.ScriptedServers;
import io.keepwell.it.support.Witnesses;
import io.keepwell.netty.KeepwellHttpClient;
import io.keepwell.pool.CloseReason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The limits that apply to a response body handed to the caller as a stream. */
class StreamedBodyTimeoutsTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @RegisterExtension
    final ScriptedServers servers = new ScriptedServers();

    @RegisterExtension
    final ClientLeakCheck clients = new ClientLeakCheck();

    private final CountDownLatch releaseServer = new CountDownLatch(1);
    private final Logger abandonedLog = Logger.getLogger("io.keepwell.netty.AbandonedBody");
    private final List<LogRecord> warnings = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                warnings.add(record);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @AfterEach
    void release() {
        releaseServer.countDown();
        abandonedLog.removeHandler(capture);
    }

    /** Sends the head and the first part of a 100-byte body, then stalls until the test ends. */
    private ScriptedServer.Action stallsMidBody() {
        return (request, socket, out) -> {
            out.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nfirst part".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            releaseServer.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            return false;
        };
    }

    /**
     * Issue 10 item 10: an {@code ofInputStream()} body taken and never read stayed open until the
     * read timeout, without a warning; it must be reclaimed at the abandoned-body limit.
     */
    @Test
    void anInputStreamBodyNeverReadIsReclaimedAtTheAbandonedBodyLimitWithAWarning() throws Exception {
        abandonedLog.addHandler(capture);
        ScriptedServer server = servers.start(r -> Actions.largeBody(1024 * 1024, false));
        Duration abandoned = Duration.ofSeconds(1);
        Duration read = Duration.ofSeconds(5);
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1)
                .abandonedBodyTimeout(abandoned).readTimeout(read));
        InputStream body = client.sendAsync(HttpRequest.newBuilder(server.uri("/forgotten")).build(),
                HttpResponse.BodyHandlers.ofInputStream()).get(WAIT.toSeconds(), TimeUnit.SECONDS).body();
        long headers = System.nanoTime();
        // Well before the read timeout: the abandoned-body limit plus scheduling slack.
        Witnesses.awaitCondition(read.minusMillis(1500), () -> client.poolStats().closedBy(CloseReason.ABANDONED) == 1,
                () -> client.poolStats().toString());
        assertTrue(System.nanoTime() - headers >= abandoned.toNanos() - Duration.ofMillis(100).toNanos(), "closed before the limit");
        assertEquals(0, client.poolStats().closedBy(CloseReason.TIMEOUT));
        assertEquals(1, warnings.size(), "warnings: " + warnings);
        assertTrue(warnings.get(0).getMessage().contains("/forgotten"), warnings.get(0).getMessage());
        body.close();
    }

    /**
     * Issue 10 item 9: the request's own timeout ended at the headers for streamed bodies, while
     * its javadoc promises "to the last body byte". It covers the body until its end.
     */
    @Test
    void theRequestTimeoutCoversAPublisherBodyToItsEnd() throws Exception {
        ScriptedServer server = servers.start(r -> stallsMidBody());
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1));
        Duration limit = Duration.ofMillis(800);
        Flow.Publisher<List<ByteBuffer>> body = client.sendAsync(HttpRequest.newBuilder(server.uri("/stalls")).timeout(limit).build(),
                HttpResponse.BodyHandlers.ofPublisher()).get(WAIT.toSeconds(), TimeUnit.SECONDS).body();
        CompletableFuture<Void> ended = Drain.toEnd(body);
        ExecutionException e = assertThrows(ExecutionException.class, () -> ended.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        HttpTimeoutException timeout = assertInstanceOf(HttpTimeoutException.class, e.getCause());
        assertEquals(HttpTimeoutException.Phase.REQUEST, timeout.phase());
        assertEquals(limit, timeout.limit());
        Witnesses.awaitCondition(WAIT, () -> client.poolStats().closedBy(CloseReason.TIMEOUT) == 1, () -> client.poolStats().toString());
    }

    @Test
    void theRequestTimeoutCoversAnInputStreamBodyToItsEnd() throws Exception {
        ScriptedServer server = servers.start(r -> stallsMidBody());
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1));
        Duration limit = Duration.ofMillis(800);
        InputStream body = client.sendAsync(HttpRequest.newBuilder(server.uri("/stalls")).timeout(limit).build(),
                HttpResponse.BodyHandlers.ofInputStream()).get(WAIT.toSeconds(), TimeUnit.SECONDS).body();
        CompletableFuture<Throwable> failure = CompletableFuture.supplyAsync(() -> {
            try {
                body.readAllBytes();
                return null;
            } catch (IOException io) {
                return io;
            }
        });
        Throwable thrown = failure.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        // The JDK's stream reports a failed body as IOException("closed") caused by what failed it.
        HttpTimeoutException timeout = assertInstanceOf(HttpTimeoutException.class, thrown.getCause(), () -> "read ended with " + thrown);
        assertEquals(HttpTimeoutException.Phase.REQUEST, timeout.phase());
        body.close();
    }

    @Test
    void aStreamedBodyReadBeforeTheRequestTimeoutKeepsItsConnection() throws Exception {
        ScriptedServer server = servers.start(r -> Actions.ok("quick"));
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1));
        Duration limit = Duration.ofMillis(300);
        InputStream body = client.sendAsync(HttpRequest.newBuilder(server.uri("/quick")).timeout(limit).build(),
                HttpResponse.BodyHandlers.ofInputStream()).get(WAIT.toSeconds(), TimeUnit.SECONDS).body();
        assertEquals("quick", new String(body.readAllBytes(), StandardCharsets.UTF_8));
        body.close();
        // After the deadline has passed the pooled connection is still the one used.
        long deadline = System.nanoTime() + 2 * limit.toNanos();
        Witnesses.awaitCondition(WAIT, () -> System.nanoTime() - deadline > 0, () -> "clock");
        assertEquals("quick", client.sendAsync(HttpRequest.newBuilder(server.uri("/again")).build(), HttpResponse.BodyHandlers.ofString())
                .get(WAIT.toSeconds(), TimeUnit.SECONDS).body());
        assertEquals(1, server.acceptedConnections());
        assertEquals(0, client.poolStats().closed());
    }
}
