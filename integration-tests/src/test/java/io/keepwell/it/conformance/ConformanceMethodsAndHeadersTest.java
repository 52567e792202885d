package io.keepwell.it.conformance;

import io.keepwell.it.support.Actions;
import io.keepwell.it.support.ScriptedServer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static io.keepwell.it.conformance.Exchanges.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Request methods, headers both ways, responses without a body, and what a response says of itself. */
class ConformanceMethodsAndHeadersTest extends ConformanceFixture {

    /**
     * A method, how the request builder sets it, and whether it has a body. The JDK 17 client sends
     * {@code Content-Length: 0} even on a GET or DELETE without a body (JDK-8283544, changed in JDK
     * 19); an engine with {@link Difference#NO_CONTENT_LENGTH_WITHOUT_BODY} sends no framing there.
     */
    enum Method {
        GET(false), POST(true), PUT(true), DELETE(false), PATCH(true), PROPFIND(false);

        final boolean hasBody;

        Method(boolean hasBody) {
            this.hasBody = hasBody;
        }

        /** The framing the server should see from {@code engine}, as {@link ConformanceActions#framing} names it. */
        String framing(Engine engine) {
            if (hasBody) {
                return "length=4";
            }
            return engine.has(Difference.NO_CONTENT_LENGTH_WITHOUT_BODY) ? "none" : "length=0";
        }

        HttpRequest.Builder set(HttpRequest.Builder builder) {
            return switch (this) {
                case GET -> builder.GET();
                case POST -> builder.POST(BodyPublishers.ofString("body"));
                case PUT -> builder.PUT(BodyPublishers.ofString("body"));
                case DELETE -> builder.DELETE();
                case PATCH -> builder.method("PATCH", BodyPublishers.ofString("body"));
                case PROPFIND -> builder.method("PROPFIND", BodyPublishers.noBody());
            };
        }

        String body() {
            return hasBody ? "body" : "";
        }
    }

    static Stream<Arguments> methods() {
        return Engines.with((Object[]) Method.values());
    }

    private ScriptedServer echoServer() throws Exception {
        return servers.start(request -> ConformanceActions.echo());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("methods")
    void theServerSeesTheMethodAndBody(Engine engine, Method method) throws Exception {
        ScriptedServer server = echoServer();
        HttpRequest request = method.set(HttpRequest.newBuilder(server.uri("/m"))).build();
        HttpResponse<String> response = await(clients.newClient(engine).sendAsync(request, BodyHandlers.ofString()));
        assertEquals(method.name(), response.headers().firstValue("x-method").orElseThrow());
        assertEquals(method.framing(engine), response.headers().firstValue("x-framing").orElseThrow());
        assertEquals(method.body(), response.body());
    }

    @EachEngine
    void headReadsNoBodyDespiteTheContentLengthAndKeepsTheConnection(Engine engine) throws Exception {
        ScriptedServer server = servers.start(request -> request.method().equals("HEAD")
                ? Actions.raw("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n") : Actions.ok("after"));
        HttpClient client = clients.newClient(engine);
        HttpResponse<String> head = await(client.sendAsync(HttpRequest.newBuilder(server.uri("/h"))
                .method("HEAD", BodyPublishers.noBody()).build(), BodyHandlers.ofString()));
        assertEquals(200, head.statusCode());
        assertEquals("", head.body());
        assertEquals(Optional.of("5"), head.headers().firstValue("content-length"));
        assertEquals("after", await(client.sendAsync(HttpRequest.newBuilder(server.uri("/after")).build(), BodyHandlers.ofString())).body());
        assertEquals(1, server.acceptedConnections());
    }

    static Stream<Arguments> bodilessResponses() {
        return Engines.with("204 No Content", "304 Not Modified", "304 Not Modified\r\nContent-Length: 5");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("bodilessResponses")
    void bodilessStatusesHaveAnEmptyBodyAndKeepTheConnection(Engine engine, String statusAndHeaders) throws Exception {
        ScriptedServer server = servers.start(request -> request.target().equals("/none")
                ? Actions.raw("HTTP/1.1 " + statusAndHeaders + "\r\nETag: \"e\"\r\n\r\n") : Actions.ok("after"));
        HttpClient client = clients.newClient(engine);
        HttpResponse<String> response = await(client.sendAsync(HttpRequest.newBuilder(server.uri("/none")).build(), BodyHandlers.ofString()));
        assertEquals(Integer.parseInt(statusAndHeaders.substring(0, 3)), response.statusCode());
        assertEquals("", response.body());
        assertEquals("after", await(client.sendAsync(HttpRequest.newBuilder(server.uri("/after")).build(), BodyHandlers.ofString())).body());
        assertEquals(1, server.acceptedConnections());
    }

    @EachEngine
    void requestHeaderValuesGoOnePerLineInOrder(Engine engine) throws Exception {
        ScriptedServer server = echoServer();
        HttpRequest request = HttpRequest.newBuilder(server.uri("/h")).header("X-Multi", "a").header("X-Multi", "b")
                .header("X-Replaced", "old").setHeader("X-Replaced", "new").build();
        await(clients.newClient(engine).sendAsync(request, BodyHandlers.discarding()));
        ScriptedServer.Request seen = server.requests().get(0);
        assertEquals(List.of("a", "b"), seen.headerValues("x-multi"));
        assertEquals(List.of("new"), seen.headerValues("x-replaced"));
    }

    @EachEngine
    void responseHeadersKeepEveryValueAndAreLookedUpIgnoringCase(Engine engine) throws Exception {
        ScriptedServer server = servers.start(request -> Actions.respond(200, "",
                "Set-Cookie: a=1\r\nset-cookie: b=2\r\nX-Mixed-Case: v\r\nX-List: x, y\r\n"));
        HttpHeaders headers = await(clients.newClient(engine).sendAsync(HttpRequest.newBuilder(server.uri("/")).build(),
                BodyHandlers.discarding())).headers();
        assertEquals(List.of("a=1", "b=2"), headers.allValues("SET-COOKIE"));
        assertEquals(Optional.of("v"), headers.firstValue("x-mixed-case"));
        assertEquals(List.of("v"), headers.map().get("X-MIXED-CASE"));
        assertEquals(List.of("x, y"), headers.allValues("x-list"), "a comma-separated value is one value");
        assertEquals(Optional.empty(), headers.firstValue("x-absent"));
    }

    /** The JDK's response.request() is its own copy of the request, not the instance sent. */
    @EachEngine
    void aResponseNamesItsRequestUriAndVersion(Engine engine) throws Exception {
        ScriptedServer server = servers.start(request -> Actions.ok("x"));
        HttpRequest request = HttpRequest.newBuilder(server.uri("/path?q=1")).header("X-A", "1")
                .timeout(Duration.ofSeconds(9)).build();
        HttpResponse<String> response = await(clients.newClient(engine).sendAsync(request, BodyHandlers.ofString()));
        assertEquals(server.uri("/path?q=1"), response.uri());
        assertEquals(request.uri(), response.request().uri());
        assertEquals("GET", response.request().method());
        assertEquals(request.headers(), response.request().headers());
        assertEquals(request.timeout(), response.request().timeout());
        assertEquals(Optional.empty(), response.previousResponse());
        assertEquals(HttpClient.Version.HTTP_1_1, response.version());
        assertEquals("/path?q=1", server.requests().get(0).target());
    }

    /**
     * Both default to HTTP/2. Over plain http the JDK asks for an h2c upgrade, which a server that
     * ignores it answers in HTTP/1.1; an engine with {@link Difference#NO_H2C_UPGRADE} asks for none.
     */
    @EachEngine
    void theDefaultVersionAndTheUpgradeItAsksFor(Engine engine) throws Exception {
        ScriptedServer server = servers.start(request -> Actions.ok("x"));
        HttpClient client = clients.newClientWithDefaults(engine, builder -> builder);
        HttpResponse<String> response = await(client.sendAsync(HttpRequest.newBuilder(server.uri("/")).build(), BodyHandlers.ofString()));
        assertEquals(HttpClient.Version.HTTP_2, client.version());
        assertEquals(HttpClient.Version.HTTP_1_1, response.version());
        assertEquals(engine.has(Difference.NO_H2C_UPGRADE) ? null : "h2c", server.requests().get(0).header("upgrade"));
    }
}
