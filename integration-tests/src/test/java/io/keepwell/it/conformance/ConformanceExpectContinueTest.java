package io.keepwell.it.conformance;

import io.keepwell.it.support.Actions;
import io.keepwell.it.support.ScriptedServer;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static io.keepwell.it.conformance.Exchanges.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** expectContinue(true) against a server that says 100 Continue and one that refuses with 417. */
class ConformanceExpectContinueTest extends ConformanceFixture {

    private static HttpRequest upload(ScriptedServer server) {
        return HttpRequest.newBuilder(server.uri("/upload")).expectContinue(true).POST(BodyPublishers.ofString("payload")).build();
    }

    @EachEngine
    void theBodyFollowsA100Continue(Engine engine) throws Exception {
        ScriptedServer server = servers.start(request -> ConformanceActions.echo()).onExpectContinue(request -> true);
        HttpResponse<String> response = await(clients.newClient(engine).sendAsync(upload(server), BodyHandlers.ofString()));
        assertEquals(200, response.statusCode());
        assertEquals("payload", response.body());
        assertTrue("100-continue".equalsIgnoreCase(server.requests().get(0).header("expect")),
                "the JDK spells it 100-Continue");
    }

    /**
     * The JDK 17 client never completes an exchange whose expectation is answered with a final
     * status: it neither sends the body nor returns the 417 (JDK-8286171, fixed in JDK 19). An
     * engine with {@link Difference#EXPECT_CONTINUE_417_RETURNED} returns the 417 and never sends
     * the body: a request after it reaches the server as the next request, not behind the body.
     */
    @EachEngine
    void a417IsAnsweredWithTheBodyUnsent(Engine engine) throws Exception {
        ScriptedServer server = servers.start(request -> request.method().equals("POST")
                ? Actions.respond(417, "refused", "") : Actions.ok("after")).onExpectContinue(request -> false);
        HttpClient client = clients.newClient(engine);
        CompletableFuture<HttpResponse<String>> response = client.sendAsync(upload(server), BodyHandlers.ofString());
        if (engine.has(Difference.EXPECT_CONTINUE_417_RETURNED)) {
            HttpResponse<String> refused = await(response);
            assertEquals(417, refused.statusCode());
            assertEquals("refused", refused.body());
            assertEquals("after", await(client.sendAsync(HttpRequest.newBuilder(server.uri("/after")).build(),
                    BodyHandlers.ofString())).body());
            assertEquals(List.of("POST /upload", "GET /after"),
                    server.requests().stream().map(r -> r.method() + " " + r.target()).toList());
        } else {
            assertThrows(TimeoutException.class, () -> response.get(1, TimeUnit.SECONDS));
            assertEquals(1, server.requestCount());
            response.cancel(true);
        }
        assertEquals(0, server.requests().get(0).body().length);
    }
}
