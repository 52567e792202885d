package io.keepwell.it.hostile;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import io.keepwell.it.support.Actions;
import io.keepwell.it.support.ClientLeakCheck;
import io.keepwell.it.support.ScriptedServer;
import io.keepwell.it.support.ScriptedServers;
import io.keepwell.netty.KeepwellHttpClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A caller's request that would split or smuggle: refused with {@link IllegalArgumentException}
 * before any byte is written, and what does go out is exactly one well-formed request with the
 * right {@code Host}.
 */
class HostileRequestsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    final ScriptedServers servers = new ScriptedServers();

    @RegisterExtension
    final ClientLeakCheck clients = new ClientLeakCheck();

    private ScriptedServer server;

    @BeforeEach
    void startServer() throws Exception {
        server = servers.start(r -> Actions.ok("ok"));
    }


    private HttpRequest.Builder builder() {
        return HttpRequest.newBuilder(server.uri("/x"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"X-A\r\nX-Injected", "X-A\n", "X-A\r", "X\u0000A", "X A", "X-A:", ":authority", "", "X-\u00e9", "X-\u0100", "X\tA", "X(A)"})
    void headerNamesThatAreNotTokensAreRefused(String name) {
        assertThrows(IllegalArgumentException.class, () -> builder().header(name, "v"));
        assertThrows(IllegalArgumentException.class, () -> builder().setHeader(name, "v"));
        assertThrows(IllegalArgumentException.class, () -> builder().headers(name, "v"));
        assertEquals(0, server.acceptedConnections());
    }

    @ParameterizedTest
    @ValueSource(strings = {"v\r\nX-Injected: 1", "v\r\n\r\nGET /smuggled HTTP/1.1", "v\n", "v\r", "v\u0000", "v\u0001", "v\u007f", "v\u0085x\u2028", "\u0100"})
    void headerValuesWithControlCharactersAreRefused(String value) {
        assertThrows(IllegalArgumentException.class, () -> builder().header("X-A", value));
        assertThrows(IllegalArgumentException.class, () -> builder().setHeader("X-A", value));
        assertThrows(IllegalArgumentException.class, () -> builder().headers("X-A", value));
        assertEquals(0, server.acceptedConnections());
    }

    @Test
    void aRefusedHeaderLeavesTheBuilderAsItWas() throws Exception {
        HttpRequest.Builder b = builder().header("X-A", "first");
        assertThrows(IllegalArgumentException.class, () -> b.setHeader("X-A", "bad\r\nX-B: 1"));
        ScriptedServer.Request seen = send(b.build());
        assertEquals("first", seen.header("x-a"));
        assertNull(seen.header("x-b"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET /x HTTP/1.1\r\nX:", "GET\r\n", "GET ", " GET", "G\u0000T", "", "GÉT", "GET\t", "CONNECT", "connect"})
    void methodsThatAreNotTokensAreRefused(String method) {
        assertRefusedBeforeAnyIo(() -> builder().method(method, HttpRequest.BodyPublishers.noBody()));
    }

    /**
     * The JDK's builder refuses most bad requests itself; what it lets through (it is not strict about
     * every name a client owns, and HttpRequest may be extended) the client refuses before any I/O.
     */
    private void assertRefusedBeforeAnyIo(java.util.function.Supplier<HttpRequest.Builder> request) {
        HttpRequest built;
        try {
            built = request.get().build();
        } catch (IllegalArgumentException refusedByTheBuilder) {
            return;
        }
        KeepwellHttpClient client = clients.newClient();
        assertThrows(IllegalArgumentException.class, () -> client.sendAsync(built, HttpResponse.BodyHandlers.discarding()));
        assertEquals(0, server.acceptedConnections());
    }

    /** As the JDK client: headers the client itself owns cannot be set, in any letter case. */
    @ParameterizedTest
    @ValueSource(strings = {"Host", "host", "HOST", "Content-Length", "content-LENGTH", "Transfer-Encoding", "Expect", "Upgrade",
            "TE", "Trailer", "Keep-Alive", "Proxy-Connection"})
    void headersTheClientOwnsAreRefused(String name) {
        assertRefusedBeforeAnyIo(() -> builder().header(name, "x"));
        assertRefusedBeforeAnyIo(() -> builder().setHeader(name, "x"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"keep-alive", "Upgrade", "close, Upgrade", "X-Secret"})
    void connectionMayOnlyBeClose(String value) {
        assertRefusedBeforeAnyIo(() -> builder().header("Connection", value));
    }

    /** java.net.URI refuses raw CR, LF and space in every component: a request line cannot be split through the URI. */
    @ParameterizedTest
    @ValueSource(strings = {"/a\r\nX-Injected: 1", "/a b", "/a\nb", "/a?q=\r\n", "/a\u0000", "/a\tb", "/a?x y"})
    void rawControlCharactersOrSpacesCannotFormAUri(String pathAndQuery) {
        assertThrows(IllegalArgumentException.class, () -> URI.create("http://127.0.0.1:" + server.port() + pathAndQuery));
    }

    /** The multi-argument URI constructors quote what they must; the quoted form is what goes on the wire. */
    @Test
    void aPathWithControlCharactersAndSpacesGoesOutPercentEncoded() throws Exception {
        URI uri = new URI("http", null, "127.0.0.1", server.port(), "/a b\r\nX-Injected: 1", "q=\r\n x", null);
        ScriptedServer.Request seen = send(HttpRequest.newBuilder(uri).build());
        assertEquals("/a%20b%0D%0AX-Injected:%201?q=%0D%0A%20x", seen.target());
        assertNull(seen.header("x-injected"));
        assertEquals(1, server.requestCount());
    }

    /** Like the JDK client, a request target is sent in ASCII: other characters are percent-encoded UTF-8. */
    @Test
    void nonAsciiCharactersInThePathArePercentEncoded() throws Exception {
        URI uri = new URI("http", null, "127.0.0.1", server.port(), "/café/\u20ac", "q=\u00fc", null);
        ScriptedServer.Request seen = send(HttpRequest.newBuilder(uri).build());
        assertEquals("/caf%C3%A9/%E2%82%AC?q=%C3%BC", seen.target());
    }

    @Test
    void hostIsTheUrisHostAndPortAndUserInfoNeverLeaks() throws Exception {
        ScriptedServer.Request seen = send(HttpRequest.newBuilder(URI.create("http://user:secret@127.0.0.1:" + server.port() + "/p")).build());
        assertEquals("127.0.0.1:" + server.port(), seen.header("host"));
        assertNull(seen.header("authorization"));
        assertFalse(seen.target().contains("secret"));
        assertEquals("/p", seen.target());

        seen = send(HttpRequest.newBuilder(URI.create("http://localhost:" + server.port())).build());
        assertEquals("localhost:" + server.port(), seen.header("host"));
        assertEquals("/", seen.target());
    }

    @Test
    void exactlyOneHostHeaderIsSent() throws Exception {
        send(HttpRequest.newBuilder(server.uri("/p")).header("X-Host", "evil.example").build());
        ScriptedServer.Request seen = server.requests().get(0);
        assertEquals("127.0.0.1:" + server.port(), seen.header("host"));
        assertEquals("evil.example", seen.header("x-host"));
    }

    @Test
    void connectionCloseMayBeSetAndIsSentOnce() throws Exception {
        ScriptedServer.Request seen = send(builder().header("Connection", "close").build());
        assertEquals("close", seen.header("connection"));
    }

    @Test
    void tabsAndObsTextAreAllowedInValues() throws Exception {
        ScriptedServer.Request seen = send(builder().header("X-A", "a\tb \u00e9").build());
        assertTrue(seen.header("x-a").startsWith("a\tb"), seen.header("x-a"));
    }

    private ScriptedServer.Request send(HttpRequest request) throws Exception {
        KeepwellHttpClient client = clients.newClient();
        int before = server.requestCount();
        HttpResponse<String> response = client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(200, response.statusCode());
        assertEquals(before + 1, server.requestCount(), "exactly one request reached the server");
        return server.requests().get(before);
    }
}
