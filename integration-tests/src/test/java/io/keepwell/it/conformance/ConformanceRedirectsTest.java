package io.keepwell.it.conformance;

import io.keepwell.it.support.Actions;
import io.keepwell.it.support.ScriptedServer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient.Redirect;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import static io.keepwell.it.conformance.Exchanges.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** Redirects under each policy: which are followed, with what method and body, and the response chain. */
class ConformanceRedirectsTest extends ConformanceFixture {

    private static final List<Redirect> FOLLOWING = List.of(Redirect.NORMAL, Redirect.ALWAYS);

    /** {@code /start} redirects with {@code status} to {@code location}; everything else is echoed. */
    private ScriptedServer redirecting(int status, String location) throws Exception {
        return servers.start(request -> request.target().endsWith("start") ? redirect(status, location) : ConformanceActions.echo());
    }

    private static ScriptedServer.Action redirect(int status, String location) {
        return Actions.respond(status, "moved", "Location: " + location + "\r\n");
    }

    private HttpResponse<String> send(Engine engine, Redirect policy, HttpRequest request) throws Exception {
        return await(clients.newClient(engine, builder -> builder.followRedirects(policy)).sendAsync(request, BodyHandlers.ofString()));
    }

    private static HttpRequest post(URI uri, String body) {
        return HttpRequest.newBuilder(uri).POST(BodyPublishers.ofString(body)).build();
    }

    static Stream<Arguments> redirectStatuses() {
        return Engines.with(301, 302, 303, 307, 308);
    }

    static Stream<Arguments> followingPoliciesAndStatusesThatBecomeGet() {
        return Engines.crossed(FOLLOWING, List.of(301, 302, 303));
    }

    static Stream<Arguments> followingPoliciesAndStatusesThatKeepTheMethod() {
        return Engines.crossed(FOLLOWING, List.of(307, 308));
    }

    static Stream<Arguments> followingPolicies() {
        return Engines.with(FOLLOWING.toArray());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("redirectStatuses")
    void neverReturnsTheRedirect(Engine engine, int status) throws Exception {
        ScriptedServer server = redirecting(status, "/target");
        HttpResponse<String> response = send(engine, Redirect.NEVER, post(server.uri("/start"), "payload"));
        assertEquals(status, response.statusCode());
        assertEquals("moved", response.body());
        assertEquals(Optional.of("/target"), response.headers().firstValue("location"));
        assertEquals(server.uri("/start"), response.uri());
        assertEquals(Optional.empty(), response.previousResponse());
        assertEquals(1, server.requestCount());
    }

    /** POSTs to {@code /start}, redirected with {@code status}; asserts the request that reached {@code /target}. */
    private void assertPostFollowed(Engine engine, Redirect policy, int status, String method, String body) throws Exception {
        ScriptedServer server = redirecting(status, "/target");
        HttpResponse<String> response = send(engine, policy, post(server.uri("/start"), "payload"));
        assertEquals(200, response.statusCode());
        assertEquals(method, response.headers().firstValue("x-method").orElseThrow());
        assertEquals(body, response.body());
        assertEquals(server.uri("/target"), response.uri());
        assertEquals(server.uri("/target"), response.request().uri());
        assertEquals(method, response.request().method());
        HttpResponse<String> previous = response.previousResponse().orElseThrow();
        assertEquals(status, previous.statusCode());
        assertEquals(server.uri("/start"), previous.uri());
        assertEquals("POST", previous.request().method());
        assertNull(previous.body(), "the JDK keeps no body of an intermediate response");
        assertEquals(Optional.empty(), previous.previousResponse());
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("followingPoliciesAndStatusesThatBecomeGet")
    void postIsFollowedAsAGetWithoutBody(Engine engine, Redirect policy, int status) throws Exception {
        assertPostFollowed(engine, policy, status, "GET", "");
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("followingPoliciesAndStatusesThatKeepTheMethod")
    void postIsFollowedWithItsMethodAndBody(Engine engine, Redirect policy, int status) throws Exception {
        assertPostFollowed(engine, policy, status, "POST", "payload");
    }

    static Stream<Arguments> followingPoliciesAndPutRedirects() {
        return Engines.crossed(FOLLOWING, List.of("302 PUT payload", "303 GET "));
    }

    /** The JDK turns only a POST into a GET on 301 and 302: a PUT is sent again, with its body; 303 makes it a GET. */
    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("followingPoliciesAndPutRedirects")
    void putIsFollowedAsTheStatusSays(Engine engine, Redirect policy, String statusMethodAndBody) throws Exception {
        String[] expected = statusMethodAndBody.split(" ", -1);
        ScriptedServer server = redirecting(Integer.parseInt(expected[0]), "/target");
        HttpResponse<String> response = send(engine, policy,
                HttpRequest.newBuilder(server.uri("/start")).PUT(BodyPublishers.ofString("payload")).build());
        assertEquals(expected[1], response.headers().firstValue("x-method").orElseThrow());
        assertEquals(expected[2], response.body());
    }

    static Stream<Arguments> relativeLocations() {
        return Engines.crossed(List.of("next?x=1", "../up", "/abs/path", "//127.0.0.1:PORT/authority"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("relativeLocations")
    void aRelativeLocationResolvesAgainstTheRequestUri(Engine engine, String location) throws Exception {
        ScriptedServer server = servers.start(request -> ConformanceActions.echo());
        String resolvedLocation = location.replace("PORT", String.valueOf(server.port()));
        server.script(request -> request.target().endsWith("start") ? redirect(302, resolvedLocation) : ConformanceActions.echo());
        URI start = server.uri("/dir/start");
        HttpResponse<String> response = send(engine, Redirect.NORMAL, HttpRequest.newBuilder(start).build());
        URI expected = start.resolve(resolvedLocation);
        assertEquals(expected, response.uri());
        assertEquals(expected.getRawPath() + (expected.getRawQuery() == null ? "" : "?" + expected.getRawQuery()),
                response.headers().firstValue("x-target").orElseThrow());
    }

    @EachEngine
    void previousResponsesChainBackToTheFirstRequest(Engine engine) throws Exception {
        ScriptedServer server = servers.start(request -> switch (request.target()) {
            case "/1" -> redirect(301, "/2");
            case "/2" -> redirect(307, "/3");
            case "/3" -> redirect(303, "/final");
            default -> ConformanceActions.echo();
        });
        HttpResponse<String> response = send(engine, Redirect.NORMAL, HttpRequest.newBuilder(server.uri("/1")).build());
        List<String> chain = new ArrayList<>();
        for (HttpResponse<String> r = response; r != null; r = r.previousResponse().orElse(null)) {
            chain.add(r.statusCode() + " " + r.uri().getPath());
        }
        assertEquals(List.of("200 /final", "303 /3", "307 /2", "301 /1"), chain);
        assertEquals(4, server.requestCount());
        assertEquals(1, server.acceptedConnections(), "redirect bodies are drained and the connection reused");
    }

    /**
     * With jdk.httpclient.redirects.retrylimit at its default, 5, the JDK sends 5 requests (it follows
     * 4 redirects) and then, rather than failing, returns the fifth 3xx as the response; Keepwell's
     * maxRedirects defaults to 4, with the same result.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("followingPolicies")
    void aRedirectLoopEndsWithTheFifthRedirectAsTheResponse(Engine engine, Redirect policy) throws Exception {
        ScriptedServer server = servers.start(request -> redirect(302, "/loop"));
        HttpResponse<String> response = send(engine, policy, HttpRequest.newBuilder(server.uri("/loop")).build());
        assertEquals(302, response.statusCode());
        assertEquals("moved", response.body());
        int previous = 0;
        for (Optional<HttpResponse<String>> r = response.previousResponse(); r.isPresent(); r = r.get().previousResponse()) {
            previous++;
        }
        assertEquals("5 requests, 4 previous", server.requestCount() + " requests, " + previous + " previous");
    }

    /**
     * The JDK fails the exchange with an UncheckedIOException, not an IOException. An engine with
     * {@link Difference#REDIRECT_WITHOUT_LOCATION_RETURNED} returns the 3xx, which it cannot follow.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("followingPolicies")
    void aRedirectWithoutLocationIsNotFollowed(Engine engine, Redirect policy) throws Exception {
        ScriptedServer server = servers.start(request -> Actions.respond(302, "nowhere", ""));
        CompletableFuture<HttpResponse<String>> exchange = clients.newClient(engine, builder -> builder.followRedirects(policy))
                .sendAsync(HttpRequest.newBuilder(server.uri("/start")).build(), BodyHandlers.ofString());
        if (engine.has(Difference.REDIRECT_WITHOUT_LOCATION_RETURNED)) {
            HttpResponse<String> response = await(exchange);
            assertEquals(302, response.statusCode());
            assertEquals("nowhere", response.body());
            assertEquals(server.uri("/start"), response.uri());
            assertEquals(Optional.empty(), response.previousResponse());
        } else {
            Throwable failure = Exchanges.failureOf(exchange);
            assertSame(UncheckedIOException.class, failure.getClass());
            assertSame(IOException.class, failure.getCause().getClass());
            assertEquals("Invalid redirection", failure.getCause().getMessage());
        }
        assertEquals(1, server.requestCount());
    }
}
