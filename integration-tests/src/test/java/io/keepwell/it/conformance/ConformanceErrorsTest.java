package io.keepwell.it.conformance;

import io.keepwell.it.support.Actions;
import io.keepwell.it.support.FreePorts;
import io.keepwell.it.support.ScriptedServer;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;

import static io.keepwell.it.conformance.Exchanges.assertBothFail;
import static io.keepwell.it.conformance.Exchanges.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Servers that fail an exchange, and the exception each engine gives, from sendAsync and from send
 * (which the JDK throws as a new exception of the same class and message, caused by the first): the
 * JDK's type or a subclass of it, with the JDK's message unless the engine has {@link
 * Difference#ERROR_MESSAGES its own}.
 */
class ConformanceErrorsTest extends ConformanceFixture {

    private static HttpRequest get(ScriptedServer server) {
        return HttpRequest.newBuilder(server.uri("/")).build();
    }

    /** A server that answers a GET with {@code raw} and closes; returns it after asserting how both sends fail. */
    private ScriptedServer assertAnswerFails(Engine engine, String raw, Class<? extends Throwable> type, String jdkMessagePattern)
            throws Exception {
        ScriptedServer server = servers.start(request -> Actions.rawThenClose(raw));
        assertBothFail(engine, clients.newClient(engine), get(server), type, jdkMessagePattern);
        return server;
    }

    /** The JDK's ConnectException has no message (its cause, from sendAsync, is a ClosedChannelException). */
    @EachEngine
    void aRefusedConnectionIsAConnectException(Engine engine) throws Exception {
        int port;
        try (ServerSocket closed = new ServerSocket()) {
            closed.bind(new InetSocketAddress(FreePorts.LOOPBACK, 0));
            port = closed.getLocalPort();
        }
        assertBothFail(engine, clients.newClient(engine),
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(), ConnectException.class, null);
    }

    /**
     * The JDK sends a GET once more on a new connection when the first, itself new, closes with no
     * response; an engine that {@link Difference#RETRY_ONLY_ON_REUSED_CONNECTION retries only on a
     * reused connection} sends it once. No engine sends it more than twice.
     */
    @EachEngine
    void aCloseBeforeTheResponseOnANewConnectionFailsAGet(Engine engine) throws Exception {
        ScriptedServer server = servers.start(request -> Actions.close());
        assertBothFail(engine, clients.newClient(engine), get(server), IOException.class, "HTTP/1.1 header parser received no bytes");
        assertTrue(server.requestCount() <= 4, () -> "two exchanges, each sent at most twice: " + server.requestCount());
        int sends = engine.has(Difference.RETRY_ONLY_ON_REUSED_CONNECTION) ? 1 : 2;
        assertEquals(2 * sends, server.requestCount(), "two exchanges, each sent " + sends + " time(s)");
        assertEquals(2 * sends, server.acceptedConnections(), "each send on a new connection");
    }

    /** Both engines send a GET again, on a new connection, when a reused one closes with no response. */
    @EachEngine
    void aCloseBeforeTheResponseOnAReusedConnectionSendsAGetAgain(Engine engine) throws Exception {
        ScriptedServer server = servers.start(request -> request.indexOnConnection() == 1 ? Actions.close() : Actions.ok("fine"));
        HttpClient client = clients.newClient(engine);
        assertEquals("fine", await(client.sendAsync(get(server), BodyHandlers.ofString())).body());
        assertEquals("fine", await(client.sendAsync(get(server), BodyHandlers.ofString())).body());
        assertEquals(3, server.requestCount(), "the second GET sent twice");
        assertEquals(2, server.acceptedConnections());
    }

    @EachEngine
    void aCloseBeforeTheResponseFailsAPostWithoutRetry(Engine engine) throws Exception {
        ScriptedServer server = servers.start(request -> Actions.close());
        HttpRequest post = HttpRequest.newBuilder(server.uri("/")).POST(BodyPublishers.ofString("once")).build();
        assertBothFail(engine, clients.newClient(engine), post, IOException.class, "HTTP/1.1 header parser received no bytes");
        assertEquals(2, server.requestCount(), "two exchanges, each sent once");
    }

    @EachEngine
    void aMalformedStatusLineIsAProtocolException(Engine engine) throws Exception {
        ScriptedServer server = assertAnswerFails(engine, "HTTP/1.1 abc\r\n\r\n", ProtocolException.class,
                "Invalid status line: \"HTTP/1.1 abc\"");
        assertEquals(2, server.requestCount(), "no retry");
    }

    @EachEngine
    void aStatusLineThatIsNotHttpIsAProtocolException(Engine engine) throws Exception {
        assertAnswerFails(engine, "HELLO\r\n\r\n", ProtocolException.class, "Invalid status line: \"HELLO\"");
    }

    /** How many bytes arrived before the reset depends on timing; the message counts them. */
    @EachEngine
    void aResetMidBodyIsAnIOExceptionCountingTheBytes(Engine engine) throws Exception {
        ScriptedServer.Action reset = Actions.reset();
        ScriptedServer server = servers.start(request -> (r, socket, out) -> {
            out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + (1 << 20) + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            out.write(new byte[64 * 1024]);
            out.flush();
            return reset.perform(r, socket, out);
        });
        assertBothFail(engine, clients.newClient(engine), get(server), IOException.class,
                "fixed content-length: 1048576, bytes received: \\d+");
    }

    @EachEngine
    void aCloseMidBodyIsAnIOExceptionCountingTheBytes(Engine engine) throws Exception {
        assertAnswerFails(engine, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc", IOException.class,
                "fixed content-length: 100, bytes received: 3");
    }

    @EachEngine
    void aCloseMidChunkedBodyIsAnIOException(Engine engine) throws Exception {
        assertAnswerFails(engine, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", IOException.class,
                "chunked transfer encoding, state: READING_DATA");
    }
}
