package io.keepwell.it.connect;

import io.keepwell.http.KeepwellTimeout;
import io.keepwell.http.HttpTimeoutException;
import io.keepwell.http.RequestListener;
import io.keepwell.it.support.Actions;
import io.keepwell.it.support.ClientLeakCheck;
import io.keepwell.it.support.ScriptedServer;
import io.keepwell.it.support.ScriptedServers;
import io.keepwell.netty.ClientInternals;
import io.keepwell.netty.KeepwellHttpClient;
import io.keepwell.netty.dns.HostResolver;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every address of a name, not the first: a dead first address gives way to the next within the
 * connect timeout, and dual-stack names race the two families as RFC 8305 says (the second family
 * starts 250 ms after the first, the first to connect wins, the loser is closed and counted).
 * Names resolve through a scripted resolver here; {@code RealServerDnsTest} does the same through
 * a real dnsmasq.
 */
class AddressFailoverTest {

    private static final InetAddress V4 = address("127.0.0.1");
    private static final InetAddress DEAD_V4 = address("127.0.0.2"); // loopback, where nothing listens
    private static final InetAddress V6 = address("::1");

    @RegisterExtension
    final ScriptedServers servers = new ScriptedServers();

    @RegisterExtension
    final ClientLeakCheck clients = new ClientLeakCheck();

    private final List<Socket> backlog = new ArrayList<>();
    private ServerSocket hung;

    @AfterEach
    void closeHungListener() throws IOException {
        for (Socket s : backlog) {
            s.close();
        }
        if (hung != null) {
            hung.close();
        }
    }

    @Test
    void aDeadFirstAddressGivesWayToTheNext() throws Exception {
        ScriptedServer server = servers.start(r -> Actions.ok("live"));
        Events events = new Events();
        KeepwellHttpClient client = clients.newClient(ClientInternals.hostResolver(KeepwellHttpClient.newBuilder()
                .eventLoopThreads(1).connectTimeout(Duration.ofSeconds(5)).requestListener(events),
                new ScriptedResolver(Map.of("multi.test", List.of(DEAD_V4, V4)))));

        HttpResponse<String> response = client.send(request("multi.test", server.port()), HttpResponse.BodyHandlers.ofString());

        assertEquals("live", response.body());
        assertEquals(List.of("dnsEnd multi.test [127.0.0.2, 127.0.0.1]", "connectStart 127.0.0.2", "connectFailed 127.0.0.2",
                "connectStart 127.0.0.1", "connectEnd 127.0.0.1"), events.connectSteps());
        assertEquals(1, server.acceptedConnections());
        assertEquals(0, ClientInternals.abandonedConnectAttempts(client), "a refused address is failed, not abandoned");
        client.send(request("multi.test", server.port()), HttpResponse.BodyHandlers.ofString());
        assertEquals(1, server.acceptedConnections(), "the connection that served is pooled under the name, and reused");
    }

    @Test
    void whenEveryAddressIsDeadTheFailureNamesThemAll() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, V4)) {
            port = probe.getLocalPort();
        } // nothing listens on it now, on either address
        KeepwellHttpClient client = clients.newClient(ClientInternals.hostResolver(KeepwellHttpClient.newBuilder().eventLoopThreads(1),
                new ScriptedResolver(Map.of("dead.test", List.of(DEAD_V4, V4)))));

        ExecutionException e = assertThrows(ExecutionException.class, () -> client.sendAsync(request("dead.test", port),
                HttpResponse.BodyHandlers.ofString()).get(10, TimeUnit.SECONDS));

        ConnectException connect = assertInstanceOf(ConnectException.class, e.getCause());
        assertTrue(connect.getMessage().contains("2 addresses failed"), connect.getMessage());
        assertEquals(2, connect.getCause().getSuppressed().length, "both attempts' failures are kept");
    }

    @Test
    void aDualStackNameRacesTheSecondFamilyAfter250ms() throws Exception {
        ScriptedServer server = ScriptedServer.startOn(V6, r -> Actions.ok("v6"));
        try {
            hangConnectsTo(new InetSocketAddress(V4, server.port()));
            Events events = new Events();
            KeepwellHttpClient client = clients.newClient(ClientInternals.hostResolver(KeepwellHttpClient.newBuilder()
                    .eventLoopThreads(1).connectTimeout(Duration.ofSeconds(5)).requestListener(events),
                    new ScriptedResolver(Map.of("dual.test", List.of(V4, address("127.0.0.1"), V6)))));

            HttpResponse<String> response = client.send(request("dual.test", server.port()), HttpResponse.BodyHandlers.ofString());

            assertEquals("v6", response.body());
            // Families alternate: 127.0.0.1, ::1, then the second 127.0.0.1, which is never needed.
            assertEquals(List.of("dnsEnd dual.test [127.0.0.1, 127.0.0.1, 0:0:0:0:0:0:0:1]", "connectStart 127.0.0.1",
                    "connectStart 0:0:0:0:0:0:0:1", "connectFailed 127.0.0.1", "connectEnd 0:0:0:0:0:0:0:1"), events.connectSteps());
            long stagger = events.startOf("connectStart 0:0:0:0:0:0:0:1") - events.startOf("connectStart 127.0.0.1");
            assertTrue(stagger >= TimeUnit.MILLISECONDS.toNanos(240), "the second family started after " + stagger / 1_000_000 + " ms");
            assertTrue(events.failureOf("127.0.0.1").getMessage().startsWith("abandoned"), events.failureOf("127.0.0.1").toString());
            assertEquals(1, ClientInternals.abandonedConnectAttempts(client));
            assertEquals(1, client.poolStats().open(), "the loser's channel is closed; the pool has the winner only");
        } finally {
            server.close();
        }
    }

    @Test
    void addressesThatNeverAnswerEndWithAConnectTimeoutWithinConnectTimeout() throws Exception {
        ServerSocket v4 = hangConnectsTo(new InetSocketAddress(V4, 0));
        KeepwellHttpClient client = clients.newClient(ClientInternals.hostResolver(KeepwellHttpClient.newBuilder()
                        .eventLoopThreads(1).connectTimeout(Duration.ofMillis(700)),
                new ScriptedResolver(Map.of("hung.test", List.of(V4, V4)))));
        long start = System.nanoTime();

        ExecutionException e = assertThrows(ExecutionException.class, () -> client.sendAsync(request("hung.test", v4.getLocalPort()),
                HttpResponse.BodyHandlers.ofString()).get(10, TimeUnit.SECONDS));

        long took = System.nanoTime() - start;
        assertInstanceOf(java.net.http.HttpConnectTimeoutException.class, e.getCause());
        assertEquals(HttpTimeoutException.Phase.CONNECT, ((KeepwellTimeout) e.getCause()).phase());
        assertTrue(took < TimeUnit.SECONDS.toNanos(5), "one limit for both attempts: took " + took / 1_000_000 + " ms");
    }

    @Test
    void aResolverThatNeverAnswersEndsInTheDnsPhaseWithinConnectTimeout() throws Exception {
        Events events = new Events();
        KeepwellHttpClient client = clients.newClient(ClientInternals.hostResolver(KeepwellHttpClient.newBuilder()
                        .eventLoopThreads(1).connectTimeout(Duration.ofMillis(500)).requestListener(events),
                new ScriptedResolver(Map.of())));

        ExecutionException e = assertThrows(ExecutionException.class, () -> client.sendAsync(request("silent.test", 80),
                HttpResponse.BodyHandlers.ofString()).get(10, TimeUnit.SECONDS));

        assertInstanceOf(java.net.http.HttpConnectTimeoutException.class, e.getCause());
        assertEquals(HttpTimeoutException.Phase.DNS, ((KeepwellTimeout) e.getCause()).phase());
        Events.awaitFailure(events);
        assertEquals(HttpTimeoutException.Phase.DNS, events.failedPhase);
    }

    @Test
    void closingTheClientFailsAConnectStillResolving() throws Exception {
        KeepwellHttpClient client = clients.newClient(ClientInternals.hostResolver(KeepwellHttpClient.newBuilder().eventLoopThreads(1),
                new ScriptedResolver(Map.of())));
        java.util.concurrent.CompletableFuture<HttpResponse<String>> call = client.sendAsync(request("silent.test", 80),
                HttpResponse.BodyHandlers.ofString());
        io.keepwell.it.support.Witnesses.awaitCondition(Duration.ofSeconds(5), () -> client.poolStats().connecting() == 1,
                () -> "the connect did not start: " + client.poolStats());

        client.closeAsync().get(10, TimeUnit.SECONDS);

        ExecutionException e = assertThrows(ExecutionException.class, () -> call.get(5, TimeUnit.SECONDS));
        assertInstanceOf(io.keepwell.http.ClientClosedException.class, e.getCause());
    }

    /** A listener on {@code address} whose accept queue is full, so further connects to it hang. */
    private ServerSocket hangConnectsTo(InetSocketAddress address) throws IOException {
        hung = new ServerSocket();
        hung.bind(address, 1);
        InetSocketAddress target = new InetSocketAddress(address.getAddress(), hung.getLocalPort());
        for (int i = 0; i < 8; i++) {
            Socket s = new Socket();
            backlog.add(s);
            try {
                s.connect(target, 300);
            } catch (java.net.SocketTimeoutException full) {
                return hung; // the queue is full: the next connect hangs too
            }
        }
        throw new IllegalStateException("the accept queue of " + target + " never filled");
    }

    private static HttpRequest request(String host, int port) {
        return HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + "/")).build();
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** Answers from a table at once; a name not in it is never answered. */
    private record ScriptedResolver(Map<String, List<InetAddress>> table) implements HostResolver {
        @Override
        public Future<List<InetAddress>> resolveAll(String host, EventLoop loop) {
            List<InetAddress> found = table.get(host);
            return found == null ? ImmediateEventExecutor.INSTANCE.newPromise() : loop.newSucceededFuture(found);
        }

        @Override
        public void close() {
        }
    }

    /** The connect steps a listener heard, with their times. */
    private static final class Events implements RequestListener {
        private final List<String> steps = new CopyOnWriteArrayList<>();
        private final List<Long> times = new CopyOnWriteArrayList<>();
        private final Map<String, Throwable> failures = new java.util.concurrent.ConcurrentHashMap<>();
        private volatile HttpTimeoutException.Phase failedPhase;

        private void add(String step) {
            times.add(System.nanoTime());
            steps.add(step);
        }

        List<String> connectSteps() {
            return List.copyOf(steps);
        }

        long startOf(String step) {
            return times.get(steps.indexOf(step));
        }

        Throwable failureOf(String address) {
            return failures.get(address);
        }

        static void awaitFailure(Events events) {
            io.keepwell.it.support.Witnesses.awaitCondition(Duration.ofSeconds(5), () -> events.failedPhase != null,
                    () -> "callFailed was not heard");
        }

        @Override
        public void dnsEnd(HttpRequest request, String host, List<InetAddress> addresses, Duration elapsed) {
            add("dnsEnd " + host + " " + addresses.stream().map(InetAddress::getHostAddress).toList());
        }

        @Override
        public void connectStart(HttpRequest request, InetSocketAddress address) {
            add("connectStart " + address.getAddress().getHostAddress());
        }

        @Override
        public void connectEnd(HttpRequest request, InetSocketAddress address, Duration elapsed) {
            add("connectEnd " + address.getAddress().getHostAddress());
        }

        @Override
        public void connectFailed(HttpRequest request, InetSocketAddress address, Duration elapsed, Throwable cause) {
            failures.put(address.getAddress().getHostAddress(), cause);
            add("connectFailed " + address.getAddress().getHostAddress());
        }

        @Override
        public void callFailed(HttpRequest request, HttpTimeoutException.Phase phase, Throwable cause, Duration elapsed) {
            failedPhase = phase;
        }
    }
}
