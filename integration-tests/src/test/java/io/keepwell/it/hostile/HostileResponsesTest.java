package io.keepwell.it.hostile;

import io.keepwell.http.HttpProtocolException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import io.keepwell.http.PrematureCloseException;
import io.keepwell.it.support.Actions;
import io.keepwell.it.support.ClientLeakCheck;
import io.keepwell.it.support.ScriptedServer;
import io.keepwell.it.support.ScriptedServers;
import io.keepwell.it.support.Witnesses;
import io.keepwell.netty.KeepwellHttpClient;
import io.keepwell.pool.CloseReason;
import io.keepwell.pool.PoolStats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A server that answers one request with something hostile. Each case: the request fails with its
 * typed error, the connection is closed (never pooled) under the right reason, the server sees it
 * closed, and the client's next request succeeds on a new connection.
 */
class HostileResponsesTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nfine";

    @RegisterExtension
    final ScriptedServers servers = new ScriptedServers();

    @RegisterExtension
    final ClientLeakCheck clients = new ClientLeakCheck();

    private ScriptedServer server;


    /** What the client must make of one hostile response. */
    private record Expect(Class<? extends Exception> type, PrematureCloseException.Phase phase, CloseReason reason) {
        static Expect protocolError() {
            return new Expect(HttpProtocolException.class, null, CloseReason.PROTOCOL_ERROR);
        }

        static Expect premature(PrematureCloseException.Phase phase) {
            return new Expect(PrematureCloseException.class, phase, CloseReason.PEER_CLOSED);
        }
    }

    static Stream<Arguments> hostileResponses() {
        String bigHeaders = ("X-Filler: " + "f".repeat(1000) + "\r\n").repeat(17); // > 16 KiB
        return Stream.of(
                // malformed status lines
                hostile("non-numeric status code", Actions.raw("HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n"), Expect.protocolError()),
                hostile("unknown protocol version", Actions.raw("HTTQ/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), Expect.protocolError()),
                hostile("HTTP/2 status line", Actions.raw("HTTP/2 200 OK\r\nContent-Length: 0\r\n\r\n"), Expect.protocolError()),
                hostile("status line without status", Actions.raw("HTTP/1.1\r\nContent-Length: 0\r\n\r\n"), Expect.protocolError()),
                hostile("negative status code", Actions.raw("HTTP/1.1 -200 OK\r\nContent-Length: 0\r\n\r\n"), Expect.protocolError()),
                hostile("two-digit status code", Actions.raw("HTTP/1.1 42 OK\r\nContent-Length: 0\r\n\r\n"), Expect.protocolError()),
                hostile("four-digit status code", Actions.raw("HTTP/1.1 2000 OK\r\nContent-Length: 0\r\n\r\n"), Expect.protocolError()),
                hostile("bare LF line ends", Actions.raw("HTTP/1.1 200 OK\nContent-Length: 0\n\n"), Expect.protocolError()),
                hostile("101 nobody asked for", Actions.raw("HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n"), Expect.protocolError()),
                // limits
                hostile("status line over 8 KiB", Actions.raw("HTTP/1.1 200 " + "x".repeat(9000) + "\r\nContent-Length: 0\r\n\r\n"), Expect.protocolError()),
                hostile("header block over 16 KiB", Actions.raw("HTTP/1.1 200 OK\r\n" + bigHeaders + "Content-Length: 0\r\n\r\n"), Expect.protocolError()),
                hostile("header line without colon", Actions.raw("HTTP/1.1 200 OK\r\nContent-Length 0\r\n\r\n"), Expect.protocolError()),
                hostile("control character in a header value", Actions.raw("HTTP/1.1 200 OK\r\nX-A: a\u0001b\r\nContent-Length: 0\r\n\r\n"), Expect.protocolError()),
                // framing
                hostile("invalid chunk size", Actions.raw("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhi\r\n0\r\n\r\n"), Expect.protocolError()),
                hostile("negative chunk size", Actions.raw("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-2\r\nhi\r\n0\r\n\r\n"), Expect.protocolError()),
                hostile("chunk size overflow", Actions.raw("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\nhi\r\n0\r\n\r\n"), Expect.protocolError()),
                hostile("chunk data without CRLF", Actions.raw("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhiXX0\r\n\r\n"), Expect.protocolError()),
                hostile("negative Content-Length", Actions.raw("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\nhi"), Expect.protocolError()),
                hostile("non-numeric Content-Length", Actions.raw("HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\nhi"), Expect.protocolError()),
                hostile("signed Content-Length", Actions.raw("HTTP/1.1 200 OK\r\nContent-Length: +3\r\n\r\nhi!"), Expect.protocolError()),
                hostile("Content-Length beyond a long", Actions.raw("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\nhi"), Expect.protocolError()),
                hostile("duplicated Content-Length, different values", Actions.raw("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nhi!"), Expect.protocolError()),
                hostile("Content-Length list, different values", Actions.raw("HTTP/1.1 200 OK\r\nContent-Length: 2, 3\r\n\r\nhi!"), Expect.protocolError()),
                hostile("Content-Length with chunked Transfer-Encoding",
                        Actions.raw("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n"), Expect.protocolError()),
                hostile("Content-Length with chunked Transfer-Encoding, Content-Length first in a list",
                        Actions.raw("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n2\r\nhi\r\n0\r\n\r\n"), Expect.protocolError()),
                hostile("Content-Length with a non-chunked Transfer-Encoding",
                        Actions.raw("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: gzip\r\n\r\nhi"), Expect.protocolError()),
                hostile("Transfer-Encoding in HTTP/1.0",
                        Actions.raw("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n"), Expect.protocolError()),
                hostile("a flood of interim responses", Actions.raw("HTTP/1.1 102 Processing\r\n\r\n".repeat(50)), Expect.protocolError()),
                // garbage
                hostile("text garbage", Actions.raw("garbage\r\n\r\n"), Expect.protocolError()),
                hostile("words of garbage", Actions.raw("hello there you\r\n\r\n"), Expect.protocolError()),
                hostile("binary garbage", Actions.raw("\u0000\u0001\u00ff\u00fe\u0007\r\n\r\n"), Expect.protocolError()),
                hostile("TLS handshake bytes", Actions.raw("\u0016\u0003\u0001\u0000\u00a5\u0001\u0000\u0000\u00a1\u0003\u0003\r\n"), Expect.protocolError()),
                // the server closes early
                hostile("body shorter than Content-Length",
                        Actions.rawThenClose("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhi"), Expect.premature(PrematureCloseException.Phase.DURING_BODY)),
                hostile("chunked body cut off",
                        Actions.rawThenClose("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel"), Expect.premature(PrematureCloseException.Phase.DURING_BODY)),
                hostile("chunked body without its last chunk",
                        Actions.rawThenClose("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n"), Expect.premature(PrematureCloseException.Phase.DURING_BODY)),
                hostile("headers cut off",
                        Actions.rawThenClose("HTTP/1.1 200 OK\r\nContent-Le"), Expect.premature(PrematureCloseException.Phase.DURING_HEADERS)),
                hostile("interim response, then nothing",
                        Actions.rawThenClose("HTTP/1.1 100 Continue\r\n\r\n"), Expect.premature(PrematureCloseException.Phase.DURING_HEADERS)),
                hostile("no response at all",
                        Actions.close(), Expect.premature(PrematureCloseException.Phase.BEFORE_RESPONSE)));
    }

    private static Arguments hostile(String name, ScriptedServer.Action action, Expect expect) {
        return Arguments.of(name, action, expect);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileResponses")
    void hostileResponseFailsTypedClosesTheConnectionAndTheNextRequestSucceeds(String name, ScriptedServer.Action action,
                                                                                Expect expect) throws Exception {
        server = servers.start(r -> r.target().equals("/hostile") ? action : Actions.raw(OK));
        KeepwellHttpClient client = clients.newClient();

        CompletableFuture<HttpResponse<String>> hostile = client.sendAsync(
                HttpRequest.newBuilder(server.uri("/hostile")).build(), HttpResponse.BodyHandlers.ofString());
        Throwable failure = failureOf(hostile);
        assertInstanceOf(expect.type(), failure, () -> name + ": " + failure);
        if (expect.phase() != null) {
            PrematureCloseException premature = (PrematureCloseException) failure;
            assertEquals(expect.phase(), premature.phase(), name);
            assertTrue(premature.bytesWritten() > 0, name);
        }
        assertConnectionClosed(client, expect.reason());

        assertEquals("fine", get(client, "/next").body());
        assertEquals(2, server.acceptedConnections(), "the hostile connection was not reused");
        assertEquals(0, client.poolStats().retried(), "a fresh connection is never retried");
    }

    /** The default header limit is 16 KiB: just under it passes, and the limit can be changed. */
    @Test
    void headerLimitIsSixteenKibByDefaultAndConfigurable() throws Exception {
        String underLimit = ("X-Filler: " + "f".repeat(1000) + "\r\n").repeat(15);
        server = servers.start(r -> Actions.raw("HTTP/1.1 200 OK\r\n" + underLimit + "Content-Length: 4\r\n\r\nfine"));
        KeepwellHttpClient defaults = clients.newClient();
        assertEquals("fine", get(defaults, "/a").body());
        closeIdle(defaults);

        KeepwellHttpClient strict = clients.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1).maxHeaderSize(4 * 1024));
        CompletableFuture<HttpResponse<String>> f = strict.sendAsync(HttpRequest.newBuilder(server.uri("/b")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertInstanceOf(HttpProtocolException.class, failureOf(f));
        assertConnectionClosed(strict, CloseReason.PROTOCOL_ERROR);
    }

    @Test
    void initialLineLimitIsConfigurable() throws Exception {
        server = servers.start(r -> Actions.raw("HTTP/1.1 200 " + "x".repeat(200) + "\r\nContent-Length: 4\r\n\r\nfine"));
        KeepwellHttpClient defaults = clients.newClient();
        assertEquals("fine", get(defaults, "/a").body());
        closeIdle(defaults);

        KeepwellHttpClient strict = clients.newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1).maxInitialLineLength(100));
        CompletableFuture<HttpResponse<String>> f = strict.sendAsync(HttpRequest.newBuilder(server.uri("/b")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertInstanceOf(HttpProtocolException.class, failureOf(f));
        assertConnectionClosed(strict, CloseReason.PROTOCOL_ERROR);
    }

    /** 1xx interim responses, with or without headers that would frame a body, are skipped; the connection stays reusable. */
    @Test
    void informationalResponsesAreSkippedAndTheConnectionIsReused() throws Exception {
        server = servers.start(r -> Actions.raw("HTTP/1.1 100 Continue\r\n\r\n"
                + "HTTP/1.1 102 Processing\r\n\r\n"
                + "HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\nContent-Length: 5\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfinal"));
        KeepwellHttpClient client = clients.newClient();
        assertEquals("final", get(client, "/a").body());
        assertEquals("final", get(client, "/b").body());
        assertEquals(1, server.acceptedConnections());
        assertEquals(1, client.poolStats().reused());
    }

    @Test
    void informationalResponsesBeforeAHeadResponseKeepItBodyless() throws Exception {
        server = servers.start(r -> Actions.raw("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"));
        KeepwellHttpClient client = clients.newClient();
        HttpResponse<String> head = client.sendAsync(HttpRequest.newBuilder(server.uri("/a")).method("HEAD", java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString()).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals("", head.body());
        HttpResponse<String> again = client.sendAsync(HttpRequest.newBuilder(server.uri("/b")).method("HEAD", java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString()).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(200, again.statusCode());
        assertEquals(1, server.acceptedConnections());
    }

    /**
     * Bytes after the framed end of a response are not part of it; left in the decoder they would
     * be read as the start of the next request's response. The response is delivered, the
     * connection is not reused, and the next request gets its own response.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("responsesWithStrayBytes")
    void bytesAfterTheResponseMakeTheConnectionUnusable(String name, String raw, int status) throws Exception {
        server = servers.start(r -> r.target().equals("/hostile") ? Actions.raw(raw) : Actions.raw(OK));
        KeepwellHttpClient client = clients.newClient();
        HttpResponse<String> first = get(client, "/hostile");
        assertEquals(status, first.statusCode());
        // Refused at the response's end if the stray bytes came in the same read; closed as
        // unsolicited if they came in a later one, while the connection was idle.
        Witnesses.awaitCondition(WAIT, () -> client.poolStats().open() == 0 && client.poolStats().closedBy(CloseReason.REFUSED)
                        + client.poolStats().closedBy(CloseReason.UNSOLICITED_DATA) == 1,
                () -> "expected one close, refused or unsolicited: " + client.poolStats());
        Witnesses.awaitCondition(WAIT, () -> server.openConnections() == 0, () -> "the server still sees the connection open");
        assertEquals("fine", get(client, "/next").body());
        assertEquals(2, server.acceptedConnections());
    }

    static Stream<Arguments> responsesWithStrayBytes() {
        return Stream.of(
                Arguments.of("a few stray bytes", OK + "XYZ", 200),
                Arguments.of("the head of a second response", OK + "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nev", 200),
                Arguments.of("half of a second response's head", OK + "HTTP/1.1 200 OK\r\nContent-Le", 200),
                Arguments.of("a whole second response", OK + "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nevil", 200),
                Arguments.of("a body after 204", "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\nhello", 204),
                Arguments.of("a body after 304", "HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\nhello", 304));
    }

    private void closeIdle(KeepwellHttpClient client) {
        client.closeIdleConnections();
        Witnesses.awaitCondition(WAIT, () -> client.poolStats().open() == 0 && server.openConnections() == 0,
                () -> "idle connections not closed: " + client.poolStats());
    }

    private void assertConnectionClosed(KeepwellHttpClient client, CloseReason reason) {
        Witnesses.awaitCondition(WAIT, () -> client.poolStats().closedBy(reason) == 1 && client.poolStats().open() == 0,
                () -> "expected one close for " + reason + ": " + client.poolStats());
        PoolStats stats = client.poolStats();
        assertEquals(1, stats.closed(), stats::toString);
        assertEquals(0, stats.idle(), stats::toString);
        Witnesses.awaitCondition(WAIT, () -> server.openConnections() == 0, () -> "the server still sees the connection open");
    }

    private HttpResponse<String> get(KeepwellHttpClient client, String path) throws Exception {
        return client.sendAsync(HttpRequest.newBuilder(server.uri(path)).build(), HttpResponse.BodyHandlers.ofString())
                .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    private static Throwable failureOf(CompletableFuture<?> f) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        return e.getCause();
    }
}
