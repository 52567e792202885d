package io.keepwell.it.conformance;

import io.keepwell.it.support.ScriptedServer;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static io.keepwell.it.conformance.Exchanges.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Blocking send, and many sendAsync exchanges at once. */
class ConformanceConcurrencyTest extends ConformanceFixture {

    private static final int CONCURRENT = 50;

    @EachEngine
    void blockingSendsInTurnShareOneConnection(Engine engine) throws Exception {
        ScriptedServer server = servers.start(request -> ConformanceActions.echo());
        HttpClient client = clients.newClient(engine);
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(server.uri("/" + i)).build(), BodyHandlers.ofString());
            assertEquals(200, response.statusCode());
            assertEquals("/" + i, response.headers().firstValue("x-target").orElseThrow());
        }
        assertEquals(1, server.acceptedConnections());
    }

    @EachEngine
    void manyConcurrentExchangesAllSucceed(Engine engine) throws Exception {
        ScriptedServer server = servers.start(request -> ConformanceActions.echo());
        HttpClient client = clients.newClient(engine);
        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        for (int i = 0; i < CONCURRENT; i++) {
            responses.add(client.sendAsync(HttpRequest.newBuilder(server.uri("/" + i))
                    .POST(HttpRequest.BodyPublishers.ofString("body " + i)).build(), BodyHandlers.ofString()));
        }
        for (int i = 0; i < CONCURRENT; i++) {
            HttpResponse<String> response = await(responses.get(i));
            assertEquals(200, response.statusCode());
            assertEquals("body " + i, response.body());
            assertEquals("/" + i, response.headers().firstValue("x-target").orElseThrow());
        }
        assertEquals(CONCURRENT, server.requestCount());
    }
}
