package io.keepwell.it.timeout;

import io.keepwell.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import io.keepwell.http.HttpTimeoutException;
import io.keepwell.it.support.Actions;
import io.keepwell.it.support.ClientLeakCheck;
import io.keepwell.it.support.ScriptedServer;
import io.keepwell.it.support.ScriptedServers;
import io.keepwell.it.support.Witnesses;
import io.keepwell.netty.KeepwellHttpClient;
import io.keepwell.netty.handler.PipelineInitializer;
import io.keepwell.pool.CloseReason;
import io.keepwell.pool.PoolConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Every timeout fails its request typed, closes the connection, and leaves the client usable. */
class TimeoutTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration SHORT = Duration.ofMillis(300);

    @RegisterExtension
    final ScriptedServers servers = new ScriptedServers();

    @RegisterExtension
    final ClientLeakCheck clients = new ClientLeakCheck();

    private final CountDownLatch releaseServer = new CountDownLatch(1);
    private ScriptedServer server;

    /** Runs before the extensions: held server threads let go, then the servers close. */
    @AfterEach
    void releaseHeldRequests() {
        releaseServer.countDown();
    }

    private static io.keepwell.http.KeepwellTimeout timeoutOf(CompletableFuture<?> f) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertInstanceOf(java.net.http.HttpTimeoutException.class, e.getCause(), "every timeout is the JDK's type");
        return assertInstanceOf(io.keepwell.http.KeepwellTimeout.class, e.getCause());
    }

    private KeepwellHttpClient client(KeepwellHttpClient.Builder builder) {
        return clients.newClient(builder.eventLoopThreads(1));
    }

    private CompletableFuture<HttpResponse<String>> get(KeepwellHttpClient client, String path) {
        return client.sendAsync(HttpRequest.newBuilder(server.uri(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Holds "/slow" requests until the test ends; answers everything else at once. */
    private ScriptedServer.Script slowOr(ScriptedServer.Action slow) {
        return r -> r.target().startsWith("/slow") ? slow : Actions.ok("fast");
    }

    @Test
    void responseHeaderTimeoutFailsTypedAndClosesTheConnection() throws Exception {
        server = servers.start(slowOr(Actions.holdUntil(releaseServer, WAIT.toMillis(), Actions.ok("late"))));
        KeepwellHttpClient client = client(KeepwellHttpClient.newBuilder().responseHeaderTimeout(SHORT));
        io.keepwell.http.KeepwellTimeout e = timeoutOf(get(client, "/slow"));
        assertEquals(HttpTimeoutException.Phase.RESPONSE_HEADERS, e.phase());
        assertEquals(SHORT, e.limit());
        Witnesses.awaitCondition(WAIT, () -> client.poolStats().closedBy(CloseReason.TIMEOUT) == 1, () -> client.poolStats().toString());
        assertEquals("fast", get(client, "/fast").get(WAIT.toSeconds(), TimeUnit.SECONDS).body());
    }

    @Test
    void slowLorisHeadersEndByTheResponseHeaderTimeout() throws Exception {
        server = servers.start(slowOr((request, socket, out) -> {
            out.write("HTTP/1.1 200 OK\r\n".getBytes(StandardCharsets.ISO_8859_1));
            for (int i = 0; i < 200 && releaseServer.getCount() > 0; i++) {
                out.write(("X-Drip-" + i + ": y\r\n").getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                releaseServer.await(50, TimeUnit.MILLISECONDS); // the server's own trickle
            }
            return false;
        }));
        KeepwellHttpClient client = client(KeepwellHttpClient.newBuilder().responseHeaderTimeout(SHORT));
        assertEquals(HttpTimeoutException.Phase.RESPONSE_HEADERS, timeoutOf(get(client, "/slow")).phase());
    }

    @Test
    void readTimeoutFailsTypedWhenTheBodyStalls() throws Exception {
        server = servers.start(slowOr((request, socket, out) -> {
            out.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nfirst part".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            releaseServer.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            return false;
        }));
        KeepwellHttpClient client = client(KeepwellHttpClient.newBuilder().readTimeout(SHORT));
        io.keepwell.http.KeepwellTimeout e = timeoutOf(get(client, "/slow"));
        assertEquals(HttpTimeoutException.Phase.READ, e.phase());
        Witnesses.awaitCondition(WAIT, () -> client.poolStats().closedBy(CloseReason.TIMEOUT) == 1, () -> client.poolStats().toString());
        releaseServer.countDown(); // the stalled server thread notices the client's close
        Witnesses.awaitCondition(WAIT, () -> server.openConnections() == 0, () -> "server still sees the timed-out connection");
        assertEquals("fast", get(client, "/fast").get(WAIT.toSeconds(), TimeUnit.SECONDS).body());
    }

    @Test
    void aBodyThatKeepsFlowingIsNotCutByTheReadTimeout() throws Exception {
        server = servers.start(r -> (request, socket, out) -> {
            out.write("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            for (int i = 0; i < 10; i++) {
                out.write('x');
                out.flush();
                releaseServer.await(60, TimeUnit.MILLISECONDS); // each gap is well under the limit
            }
            return true;
        });
        KeepwellHttpClient client = client(KeepwellHttpClient.newBuilder().readTimeout(Duration.ofMillis(400)));
        assertEquals("xxxxxxxxxx", get(client, "/drip").get(WAIT.toSeconds(), TimeUnit.SECONDS).body());
    }

    @Test
    void requestTimeoutCoversTheWaitForAConnection() throws Exception {
        server = servers.start(slowOr(Actions.holdUntil(releaseServer, WAIT.toMillis(), Actions.ok("late"))));
        KeepwellHttpClient client = client(KeepwellHttpClient.newBuilder().pool(PoolConfig.builder().maxConnectionsPerHost(1).build()));
        CompletableFuture<HttpResponse<String>> holder = get(client, "/slow");
        Witnesses.awaitCondition(WAIT, () -> server.requestCount() == 1, () -> "holder not arrived");
        CompletableFuture<HttpResponse<String>> waiting = client.sendAsync(HttpRequest.newBuilder(server.uri("/fast")).timeout(SHORT).build(),
                HttpResponse.BodyHandlers.ofString());
        io.keepwell.http.KeepwellTimeout e = timeoutOf(waiting);
        assertEquals(HttpTimeoutException.Phase.REQUEST, e.phase());
        Witnesses.awaitCondition(WAIT, () -> client.poolStats().pending() == 0, () -> client.poolStats().toString());
        releaseServer.countDown();
        assertEquals("late", holder.get(WAIT.toSeconds(), TimeUnit.SECONDS).body());
        assertEquals(1, server.requestCount(), "the timed-out request was never sent");
    }

    @Test
    void requestTimeoutEndsARunningExchange() throws Exception {
        server = servers.start(slowOr(Actions.holdUntil(releaseServer, WAIT.toMillis(), Actions.ok("late"))));
        KeepwellHttpClient client = client(KeepwellHttpClient.newBuilder());
        CompletableFuture<HttpResponse<String>> f = client.sendAsync(HttpRequest.newBuilder(server.uri("/slow")).timeout(SHORT).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(HttpTimeoutException.Phase.REQUEST, timeoutOf(f).phase());
        Witnesses.awaitCondition(WAIT, () -> client.poolStats().closedBy(CloseReason.TIMEOUT) == 1, () -> client.poolStats().toString());
    }

    /**
     * A listening socket whose accept queue is full drops new SYNs, so a connect to it hangs until
     * the client's connect timeout: a loopback-only way to see that timeout.
     */
    @Test
    void connectTimeoutFailsTyped() throws Exception {
        try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            List<Socket> fillers = new ArrayList<>();
            try {
                for (int i = 0; i < 8; i++) {
                    Socket s = new Socket();
                    try {
                        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), full.getLocalPort()), 200);
                        fillers.add(s);
                    } catch (java.net.SocketTimeoutException queueIsFull) {
                        s.close();
                        break;
                    }
                }
                KeepwellHttpClient client = client(KeepwellHttpClient.newBuilder().connectTimeout(SHORT));
                CompletableFuture<HttpResponse<String>> f = client.sendAsync(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + full.getLocalPort() + "/")).build(),
                        HttpResponse.BodyHandlers.ofString());
                io.keepwell.http.KeepwellTimeout e = timeoutOf(f);
                assertInstanceOf(HttpConnectTimeoutException.class, e);
                assertEquals(HttpTimeoutException.Phase.CONNECT, e.phase());
                assertEquals(0, client.poolStats().opened());
            } finally {
                for (Socket s : fillers) {
                    s.close();
                }
            }
        }
    }

    @Test
    void noTimerOutlivesItsExchange() throws Exception {
        server = servers.start(r -> Actions.ok("x"));
        KeepwellHttpClient client = client(KeepwellHttpClient.newBuilder());
        for (int i = 0; i < 3; i++) {
            assertEquals("x", get(client, "/t").get(WAIT.toSeconds(), TimeUnit.SECONDS).body());
        }
        io.netty.channel.Channel channel = io.keepwell.netty.ClientInternals.idleChannels(client).get(0);
        CompletableFuture<Boolean> scheduled = new CompletableFuture<>();
        channel.eventLoop().execute(() -> scheduled.complete(PipelineInitializer.reader(channel).timerArmed()));
        assertEquals(false, scheduled.get(WAIT.toSeconds(), TimeUnit.SECONDS), "a response deadline is still set on an idle channel");
    }
}
