package io.keepwell.netty;

import com.sun.net.httpserver.HttpServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import io.keepwell.pool.PoolConfig;
import io.netty.channel.ChannelException;
import io.netty.channel.socket.nio.NioSocketChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Opening a connection fails at the transport boundary: the request fails typed, and nothing of the pool or client is lost. */
class ConnectFailureTest {

    private HttpServer server;
    private URI uri;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = "ok".getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/x");
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    /** Fails its first {@code failures} opens as {@code NioSocketChannel} does when out of file descriptors. */
    private static final class ExhaustedDescriptors implements io.netty.channel.ChannelFactory<NioSocketChannel> {
        final IOException emfile = new IOException("Too many open files");
        final AtomicInteger failures;

        ExhaustedDescriptors(int failures) {
            this.failures = new AtomicInteger(failures);
        }

        @Override
        public NioSocketChannel newChannel() {
            if (failures.getAndDecrement() > 0) {
                throw new ChannelException("Failed to open a socket.", emfile);
            }
            return new NioSocketChannel();
        }
    }

    /**
     * Issue 10 item 2: a channel that fails before registration never fires its close future, so
     * its slot stayed "connecting" for good (two such failures with 2 per host blocked the host),
     * and closeAsync() threw "channel not registered to an event loop" and kept its threads.
     */
    @Test
    void anOpenThatFailsBeforeRegistrationGivesItsSlotBackAndTheClientStillCloses() throws Exception {
        ExhaustedDescriptors factory = new ExhaustedDescriptors(2);
        KeepwellHttpClient client = ClientInternals.channelFactory(KeepwellHttpClient.newBuilder(), factory)
                .transport(Transport.NIO)
                .eventLoopThreads(1)
                .pool(PoolConfig.builder().maxConnectionsPerHost(2).acquireTimeout(Duration.ofSeconds(2)).build())
                .build();
        try {
            for (int i = 0; i < 2; i++) {
                Throwable failure = assertThrows(CompletionException.class,
                        () -> client.sendAsync(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString())
                                .orTimeout(5, TimeUnit.SECONDS).join()).getCause();
                ConnectException e = assertInstanceOf(ConnectException.class, failure);
                assertTrue(e.getMessage().contains("GET " + uri), e.getMessage());
                assertSame(factory.emfile, rootCause(e));
            }
            assertEquals(0, client.poolStats().connecting(), client.poolStats().toString());
            assertEquals(0, client.openChannels());
            HttpResponse<String> ok = client.sendAsync(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString())
                    .get(5, TimeUnit.SECONDS);
            assertEquals("ok", ok.body());
        } finally {
            client.closeAsync().get(10, TimeUnit.SECONDS);
        }
        assertTrue(ioThreadsGone(Duration.ofSeconds(10)), "the client's I/O threads are still running");
    }

    /** Issue 10 item 12: a refused connection surfaced Netty's AnnotatedConnectException, naming no request. */
    @Test
    void aRefusedConnectionIsAConnectExceptionNamingTheRequest() throws Exception {
        int port;
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = closed.getLocalPort();
        }
        URI refused = URI.create("http://127.0.0.1:" + port + "/refused?q=1");
        try (KeepwellHttpClient client = KeepwellHttpClient.newBuilder().eventLoopThreads(1).build()) {
            Throwable failure = assertThrows(CompletionException.class,
                    () -> client.sendAsync(HttpRequest.newBuilder(refused).DELETE().build(), HttpResponse.BodyHandlers.ofString())
                            .orTimeout(5, TimeUnit.SECONDS).join()).getCause();
            ConnectException e = assertInstanceOf(ConnectException.class, failure);
            assertEquals(ConnectException.class, e.getClass(), "Netty's own subclass leaked: " + e);
            assertTrue(e.getMessage().contains("DELETE " + refused), e.getMessage());
            assertInstanceOf(ConnectException.class, e.getCause(), "the transport's failure is the cause");
            assertEquals(0, client.poolStats().connecting());
        }
    }

    private static Throwable rootCause(Throwable t) {
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static boolean ioThreadsGone(Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().startsWith("keepwell-io") && t.isAlive())) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }
}
