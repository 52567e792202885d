package io.keepwell.it.events;

import io.keepwell.http.HttpTimeoutException;
import io.keepwell.http.RequestListener;
import io.keepwell.it.support.Actions;
import io.keepwell.it.support.ClientLeakCheck;
import io.keepwell.it.support.FreePorts;
import io.keepwell.it.support.ScriptedServer;
import io.keepwell.it.support.ScriptedServers;
import io.keepwell.it.support.TestCertificates;
import io.keepwell.it.support.Witnesses;
import io.keepwell.netty.KeepwellHttpClient;
import io.keepwell.pool.testing.RecordingPoolListener;
import io.netty.handler.ssl.SslContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.InetAddress;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a {@link RequestListener} hears from a real client over loopback, in order. */
class RequestListenerTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    final ScriptedServers servers = new ScriptedServers();

    @RegisterExtension
    final ClientLeakCheck clients = new ClientLeakCheck();

    private final Recording heard = new Recording();

    /**
     * Every event as its name and arguments (durations left out, as they vary; an address as its
     * IP, a cause as its class, Netty's subclasses as their JDK parent), with the request's path, for exact comparison.
     */
    static final class Recording {
        record Heard(String path, String event) {
        }

        final List<Heard> events = new CopyOnWriteArrayList<>();
        final RequestListener listener = (RequestListener) Proxy.newProxyInstance(RequestListener.class.getClassLoader(),
                new Class<?>[]{RequestListener.class}, this::heard);
        volatile Duration lastIdleTime;

        private Object heard(Object proxy, Method method, Object[] args) {
            if (method.getDeclaringClass() == Object.class) {
                return switch (method.getName()) {
                    case "equals" -> proxy == args[0];
                    case "hashCode" -> System.identityHashCode(proxy);
                    default -> "Recording";
                };
            }
            if (method.getName().equals("acquired")) {
                lastIdleTime = (Duration) args[3];
            }
            StringBuilder event = new StringBuilder(method.getName());
            for (int i = 1; i < args.length; i++) {
                if (!(args[i] instanceof Duration)) {
                    event.append(' ').append(describe(args[i]));
                }
            }
            events.add(new Heard(((HttpRequest) args[0]).uri().getPath(), event.toString()));
            return null;
        }

        private static String describe(Object arg) {
            if (arg instanceof InetSocketAddress address) {
                return address.getAddress().getHostAddress();
            }
            if (arg instanceof List<?> addresses) {
                return ((InetAddress) addresses.get(0)).getHostAddress();
            }
            if (arg instanceof Throwable cause) {
                Class<?> type = cause.getClass();
                while (type.getName().startsWith("io.netty.")) { // Netty's own subclasses are its detail
                    type = type.getSuperclass();
                }
                return type.getSimpleName();
            }
            return String.valueOf(arg);
        }

        /** The events of the calls to {@code path}, once its last call has ended. */
        List<String> of(String path, int calls) {
            Witnesses.awaitCondition(WAIT, () -> ended(path) >= calls, () -> "calls to " + path + " did not end: " + events);
            return events.stream().filter(h -> h.path().equals(path)).map(Heard::event).toList();
        }

        private long ended(String path) {
            return events.stream().filter(h -> h.path().equals(path))
                    .filter(h -> h.event().startsWith("callEnd") || h.event().startsWith("callFailed")).count();
        }
    }

    private KeepwellHttpClient client(KeepwellHttpClient.Builder builder) {
        return clients.newClient(builder.eventLoopThreads(1).requestListener(heard.listener));
    }

    private static HttpResponse<String> get(HttpClient client, URI uri) throws Exception {
        return client.sendAsync(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString())
                .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    private static final List<String> FRESH_CONNECTION = List.of(
            "acquireStart", "connectStart 127.0.0.1", "connectEnd 127.0.0.1", "acquired false false");

    private static final List<String> EXCHANGE_OF_HELLO = List.of(
            "requestHeadWritten", "requestBodyWritten 0", "responseHeaders 200", "responseBodyEnd 5", "callEnd 200");

    private static List<String> call(List<String> acquire, List<String> exchange) {
        List<String> all = new java.util.ArrayList<>();
        all.add("callStart");
        all.addAll(acquire);
        all.addAll(exchange);
        return all;
    }

    @Test
    void aFreshRequestIsHeardStepByStep() throws Exception {
        ScriptedServer server = servers.start(r -> Actions.ok("hello"));
        get(client(KeepwellHttpClient.newBuilder()), server.uri("/fresh"));
        assertEquals(call(FRESH_CONNECTION, EXCHANGE_OF_HELLO), heard.of("/fresh", 1));
    }

    @Test
    void aReusedConnectionHasNoConnectStepsAndSaysHowLongItWasIdle() throws Exception {
        ScriptedServer server = servers.start(r -> Actions.ok("hello"));
        KeepwellHttpClient client = client(KeepwellHttpClient.newBuilder());
        get(client, server.uri("/first"));
        heard.of("/first", 1);
        get(client, server.uri("/again"));
        assertEquals(call(List.of("acquireStart", "acquired true true"), EXCHANGE_OF_HELLO), heard.of("/again", 1));
        assertTrue(heard.lastIdleTime.toNanos() > 0, "idle time " + heard.lastIdleTime);
        assertEquals(1, server.acceptedConnections());
    }

    @Test
    void aHostNameIsResolvedWithDnsEvents() throws Exception {
        ScriptedServer server = servers.start(r -> Actions.ok("hello"));
        get(client(KeepwellHttpClient.newBuilder()), URI.create("http://localhost:" + server.port() + "/named"));
        List<String> expected = new java.util.ArrayList<>(List.of("callStart", "acquireStart", "dnsStart localhost", "dnsEnd localhost 127.0.0.1"));
        expected.addAll(FRESH_CONNECTION.subList(1, FRESH_CONNECTION.size()));
        expected.addAll(EXCHANGE_OF_HELLO);
        assertEquals(expected, heard.of("/named", 1));
    }

    @Test
    void httpsAddsTheHandshakeWithItsProtocolAndCipher() throws Exception {
        TestCertificates certificates = TestCertificates.generate("ip:127.0.0.1");
        ScriptedServer server = servers.startTls(certificates.serverContext(), r -> Actions.ok("hello"));
        SslContext tls = KeepwellHttpClient.tlsContextBuilder().trustManager(certificates.certificate()).build();
        HttpResponse<String> response = get(client(KeepwellHttpClient.newBuilder().nettySslContext(tls)),
                URI.create("https://127.0.0.1:" + server.port() + "/secure"));
        javax.net.ssl.SSLSession session = response.sslSession().orElseThrow();
        List<String> acquire = List.of("acquireStart", "connectStart 127.0.0.1", "connectEnd 127.0.0.1", "tlsStart",
                "tlsEnd " + session.getProtocol() + " " + session.getCipherSuite(), "acquired false false");
        assertEquals(call(acquire, EXCHANGE_OF_HELLO), heard.of("/secure", 1));
        assertTrue(session.getProtocol().startsWith("TLS"), session.getProtocol());
    }

    @Test
    void aRetryRepeatsTheStepsFromAcquireStart() throws Exception {
        // The second request on each connection is read, then the server closes without answering.
        ScriptedServer server = servers.start(r -> r.indexOnConnection() == 1 ? Actions.close() : Actions.ok("hello"));
        KeepwellHttpClient client = client(KeepwellHttpClient.newBuilder());
        get(client, server.uri("/first"));
        heard.of("/first", 1);
        get(client, server.uri("/retried"));
        List<String> expected = new java.util.ArrayList<>(List.of("callStart", "acquireStart", "acquired true true",
                "requestHeadWritten", "requestBodyWritten 0", "retried PrematureCloseException"));
        expected.addAll(FRESH_CONNECTION);
        expected.addAll(EXCHANGE_OF_HELLO);
        assertEquals(expected, heard.of("/retried", 1));
    }

    @Test
    void aRefusedConnectionFailsTheCallInConnect() throws Exception {
        KeepwellHttpClient client = client(KeepwellHttpClient.newBuilder());
        URI nobody = URI.create("http://127.0.0.1:" + FreePorts.pick() + "/refused");
        assertThrows(ExecutionException.class, () -> get(client, nobody));
        assertEquals(List.of("callStart", "acquireStart", "connectStart 127.0.0.1", "connectFailed 127.0.0.1 ConnectException", "callFailed CONNECT ConnectException"),
                heard.of("/refused", 1));
    }

    @Test
    void aResponseHeaderTimeoutFailsTheCallInThatPhase() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        ScriptedServer server = servers.start(r -> Actions.holdUntil(never, WAIT.toMillis(), Actions.ok("late")));
        KeepwellHttpClient client = client(KeepwellHttpClient.newBuilder().responseHeaderTimeout(Duration.ofMillis(200)));
        try {
            assertThrows(ExecutionException.class, () -> get(client, server.uri("/slow")));
        } finally {
            never.countDown();
        }
        List<String> expected = new java.util.ArrayList<>(FRESH_CONNECTION);
        expected.add(0, "callStart");
        expected.addAll(List.of("requestHeadWritten", "requestBodyWritten 0", "callFailed RESPONSE_HEADERS HttpTimeoutException"));
        assertEquals(expected, heard.of("/slow", 1));
    }

    @Test
    void aRequestBodyIsCountedAsThePublisherProducedIt() throws Exception {
        ScriptedServer server = servers.start(r -> Actions.ok("hello"));
        KeepwellHttpClient client = client(KeepwellHttpClient.newBuilder());
        client.sendAsync(HttpRequest.newBuilder(server.uri("/post")).POST(HttpRequest.BodyPublishers.ofString("twelve bytes")).build(),
                HttpResponse.BodyHandlers.ofString()).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertTrue(heard.of("/post", 1).contains("requestBodyWritten 12"), heard.events.toString());
    }

    @Test
    void eachRedirectHopIsACallOfItsOwn() throws Exception {
        ScriptedServer server = servers.start(r -> r.target().equals("/from")
                ? Actions.respond(302, "", "Location: /to\r\n") : Actions.ok("hello"));
        get(client(KeepwellHttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)), server.uri("/from"));
        List<String> from = heard.of("/from", 1);
        assertEquals("callStart", from.get(0));
        assertEquals("callEnd 302", from.get(from.size() - 1));
        assertEquals(1, from.stream().filter(e -> e.equals("callStart")).count());
        assertEquals(call(List.of("acquireStart", "acquired true true"), EXCHANGE_OF_HELLO), heard.of("/to", 1));
    }

    @Test
    void aListenerThatThrowsIsDroppedAndTheCallGoesOn() throws Exception {
        ScriptedServer server = servers.start(r -> Actions.ok("hello"));
        AtomicInteger calledBeforeItWasDropped = new AtomicInteger();
        RequestListener throwing = new RequestListener() {
            @Override
            public void acquireStart(HttpRequest request) {
                calledBeforeItWasDropped.incrementAndGet();
                throw new IllegalStateException("a listener bug");
            }
        };
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1).requestListener(throwing));
        client.addRequestListener(heard.listener);
        assertEquals("hello", get(client, server.uri("/one")).body());
        assertEquals("hello", get(client, server.uri("/two")).body());
        assertEquals(call(FRESH_CONNECTION, EXCHANGE_OF_HELLO), heard.of("/one", 1));
        assertEquals(1, calledBeforeItWasDropped.get());
    }

    @Test
    void poolListenersAddedAfterBuildHearTheSameEventsAsTheBuildersOne() throws Exception {
        ScriptedServer server = servers.start(r -> Actions.ok("hello"));
        RecordingPoolListener fromBuilder = new RecordingPoolListener();
        RecordingPoolListener added = new RecordingPoolListener();
        KeepwellHttpClient client = clients.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1).poolListener(fromBuilder));
        client.addPoolListener(added);
        get(client, server.uri("/a"));
        get(client, server.uri("/b"));
        Witnesses.awaitCondition(WAIT, () -> added.events().size() == 5, () -> "added heard " + added.events());
        assertEquals(fromBuilder.events(), added.events());
        assertFalse(added.events().isEmpty());
    }
}
