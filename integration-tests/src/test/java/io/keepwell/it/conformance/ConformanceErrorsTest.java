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
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;

import static io.keepwell.it.conformance.Exchanges.assertBothFail;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Servers that fail an exchange, and the exception each engine gives, from sendAsync and from send
 * (which the JDK throws as a new exception of the same class and message, caused by the first).
 */
class ConformanceErrorsTest extends ConformanceFixture {

    private static HttpRequest get(ScriptedServer server) {
        return HttpRequest.newBuilder(server.uri("/")).build();
    }

    /** A server that answers a GET with {@code raw} and closes; returns it after asserting how both sends fail. */
    private ScriptedServer assertAnswerFails(Engine engine, String raw, Class<? extends Throwable> type, String messagePattern)
            throws Exception {
        ScriptedServer server = servers.start(request -> Actions.rawThenClose(raw));
        assertBothFail(clients.newClient(engine), get(server), type, messagePattern);
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
        assertBothFail(clients.newClient(engine), HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
                ConnectException.class, null);
    }

    /** The JDK sends a GET once more on a new connection when the first closes with no response. */
    @EachEngine
    void aCloseBeforeTheResponseFailsAGetAfterOneRetry(Engine engine) throws Exception {
        ScriptedServer server = servers.start(request -> Actions.close());
        assertBothFail(clients.newClient(engine), get(server), IOException.class, "HTTP/1.1 header parser received no bytes");
        assertEquals(4, server.requestCount(), "two exchanges, each sent twice");
        assertEquals(4, server.acceptedConnections());
    }

    @EachEngine
    void aCloseBeforeTheResponseFailsAPostWithoutRetry(Engine engine) throws Exception {
        ScriptedServer server = servers.start(request -> Actions.close());
        HttpRequest post = HttpRequest.newBuilder(server.uri("/")).POST(BodyPublishers.ofString("once")).build();
        assertBothFail(clients.newClient(engine), post, IOException.class, "HTTP/1.1 header parser received no bytes");
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
        assertBothFail(clients.newClient(engine), get(server), IOException.class, "fixed content-length: 1048576, bytes received: \\d+");
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
