package io.keepwell.it.conformance;

import io.keepwell.it.support.Actions;
import io.keepwell.it.support.FreePorts;
import io.keepwell.it.support.Poll;
import io.keepwell.it.support.ScriptedServer;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import static io.keepwell.it.conformance.Exchanges.assertBothFail;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The request timeout of HttpRequest.Builder and the connect timeout of HttpClient.Builder. */
class ConformanceTimeoutsTest extends ConformanceFixture {

    private static final Duration SHORT = Duration.ofMillis(300);

    @EachEngine
    void aServerThatNeverAnswersTimesOutAndTheConnectionIsClosed(Engine engine) throws Exception {
        ScriptedServer server = servers.start(request -> ConformanceActions.holdUntilClientCloses());
        HttpRequest request = HttpRequest.newBuilder(server.uri("/")).timeout(SHORT).build();
        assertBothFail(engine, clients.newClient(engine), request, HttpTimeoutException.class, "request timed out");
        assertEquals(2, server.acceptedConnections());
        Poll.until(server::openConnections, open -> open == 0, Exchanges.WAIT, "the client to close the timed-out connections");
    }

    /**
     * The JDK 17 request timeout ends when the response headers arrive: a body that stalls after
     * them is waited for without end (a later JDK extends it to the body). An engine whose timeout
     * {@link Difference#REQUEST_TIMEOUT_COVERS_BODY covers the body} fails the exchange with an
     * HttpTimeoutException and closes its connection.
     */
    @EachEngine
    void aBodyThatStallsAfterTheHeadersIsTimedOutOnlyWhereTheTimeoutCoversTheBody(Engine engine) throws Exception {
        ScriptedServer server = servers.start(request ->
                ConformanceActions.rawThenHold("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"));
        CompletableFuture<HttpResponse<String>> response = clients.newClient(engine).sendAsync(
                HttpRequest.newBuilder(server.uri("/")).timeout(SHORT).build(), HttpResponse.BodyHandlers.ofString());
        if (engine.has(Difference.REQUEST_TIMEOUT_COVERS_BODY)) {
            Throwable failure = Exchanges.failureOf(response);
            assertTrue(causeChain(failure).anyMatch(HttpTimeoutException.class::isInstance), () -> "failure: " + failure);
            Poll.until(server::openConnections, open -> open == 0, Exchanges.WAIT, "the client to close the timed-out connection");
        } else {
            assertThrows(TimeoutException.class, () -> response.get(SHORT.toMillis() * 5, TimeUnit.MILLISECONDS));
            response.cancel(true);
        }
    }

    private static Stream<Throwable> causeChain(Throwable failure) {
        return Stream.iterate(failure, Objects::nonNull, Throwable::getCause);
    }

    /**
     * A connect that stays pending on loopback: a listener that never accepts, whose accept queue
     * (backlog 1) is already full, so Linux drops the client's SYN instead of refusing it.
     */
    @EachEngine
    void aConnectThatDoesNotCompleteTimesOut(Engine engine) throws Exception {
        List<Socket> fillers = new ArrayList<>();
        try (ServerSocket listener = new ServerSocket()) {
            listener.bind(new InetSocketAddress(FreePorts.LOOPBACK, 0), 1);
            fillAcceptQueue(listener, fillers);
            HttpClient client = clients.newClient(engine, builder -> builder.connectTimeout(SHORT));
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + listener.getLocalPort() + "/")).build();
            assertBothFail(engine, client, request, HttpConnectTimeoutException.class, "HTTP connect timed out");
        } finally {
            for (Socket filler : fillers) {
                filler.close();
            }
        }
    }

    private static void fillAcceptQueue(ServerSocket listener, List<Socket> fillers) throws Exception {
        for (int i = 0; i < 16; i++) {
            Socket filler = new Socket();
            fillers.add(filler);
            try {
                filler.connect(listener.getLocalSocketAddress(), 200);
            } catch (SocketTimeoutException full) {
                return;
            }
        }
        throw new AssertionError("the accept queue never filled: connects on this system do not stay pending");
    }

    @EachEngine
    void aTimeoutLongerThanTheExchangeDoesNotFire(Engine engine) throws Exception {
        ScriptedServer server = servers.start(request -> Actions.ok("in time"));
        HttpClient client = clients.newClient(engine, builder -> builder.connectTimeout(Duration.ofSeconds(5)));
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(server.uri("/")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals("in time", response.body());
    }
}
