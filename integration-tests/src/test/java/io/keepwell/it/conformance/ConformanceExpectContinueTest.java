package io.keepwell.it.conformance;

import io.keepwell.it.support.Actions;
import io.keepwell.it.support.ScriptedServer;

import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
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
     * engine that returns the 417 differs here on purpose.
     */
    @EachEngine
    void a417LeavesTheExchangeHangingWithTheBodyUnsent(Engine engine) throws Exception {
        ScriptedServer server = servers.start(request -> Actions.respond(417, "refused", "")).onExpectContinue(request -> false);
        CompletableFuture<HttpResponse<String>> response = clients.newClient(engine).sendAsync(upload(server), BodyHandlers.ofString());
        assertThrows(TimeoutException.class, () -> response.get(1, TimeUnit.SECONDS));
        assertEquals(1, server.requestCount());
        assertEquals(0, server.requests().get(0).body().length);
        response.cancel(true);
    }
}
