package io.keepwell.it.h2;

import io.keepwell.it.support.ClientLeakCheck;
import io.keepwell.it.support.h2.H2Gate;
import io.keepwell.it.support.h2.H2Reply;
import io.keepwell.it.support.h2.H2Request;
import io.keepwell.it.support.h2.H2Server;
import io.keepwell.it.support.h2.H2ServerConnection;
import io.keepwell.it.support.h2.H2Servers;
import io.keepwell.netty.KeepwellHttpClient;
import io.keepwell.pool.CloseReason;
import io.netty.handler.codec.http2.Http2Error;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static io.keepwell.it.h2.H2Clients.WAIT;
import static io.keepwell.it.h2.H2Clients.await;
import static io.keepwell.it.h2.H2Clients.get;
import static io.keepwell.it.h2.H2Clients.tlsServer;
import static io.keepwell.it.h2.H2Clients.trustingClient;
import static io.keepwell.it.support.Witnesses.awaitCondition;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** GOAWAY(last-stream-id N) with streams open on both sides of N. */
class H2GoAwayTest {

    @RegisterExtension
    final H2Servers servers = new H2Servers();

    @RegisterExtension
    final ClientLeakCheck leaks = new ClientLeakCheck();

    private static H2Reply describe(H2Request r) {
        return H2Reply.ok("connection " + r.connectionId() + " " + r.method() + " " + new String(r.body(), StandardCharsets.UTF_8));
    }

    @Test
    void streamsAboveTheLastStreamIdAreRetriedOnANewConnectionAndTheOldOneClosesOnce() throws Exception {
        H2Gate gate = new H2Gate();
        H2Server server = servers.start(tlsServer().script(r -> H2Reply.heldBy(gate, describe(r))).build());
        KeepwellHttpClient client = leaks.newClient(trustingClient());
        List<CompletableFuture<HttpResponse<String>>> below = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            below.add(client.sendAsync(get(server, "/below/" + i), HttpResponse.BodyHandlers.ofString()));
        }
        awaitCondition(WAIT, () -> server.openStreams() == 3, server::toString);
        List<CompletableFuture<HttpResponse<String>>> above = new ArrayList<>();
        above.add(client.sendAsync(get(server, "/above/get"), HttpResponse.BodyHandlers.ofString()));
        for (int i = 0; i < 2; i++) {
            above.add(client.sendAsync(HttpRequest.newBuilder(server.uri("/above/post" + i))
                    .POST(HttpRequest.BodyPublishers.ofString("post " + i)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        awaitCondition(WAIT, () -> server.openStreams() == 6, server::toString);
        H2ServerConnection old = server.connection(1);
        int lastStreamId = old.wire().streamIds().get(2);

        await(old.goAway(lastStreamId, Http2Error.NO_ERROR));
        awaitCondition(WAIT, () -> server.acceptedConnections() == 2 && server.connection(2).wire().openStreams() == 3,
                () -> "the streams above " + lastStreamId + " were not retried on a new connection: " + server);
        gate.release();

        for (CompletableFuture<HttpResponse<String>> f : below) {
            HttpResponse<String> response = await(f);
            assertEquals("connection 1 GET ", response.body());
            assertEquals(HttpClient.Version.HTTP_2, response.version());
        }
        assertEquals("connection 2 GET ", await(above.get(0)).body());
        assertEquals("connection 2 POST post 0", await(above.get(1)).body());
        assertEquals("connection 2 POST post 1", await(above.get(2)).body());

        awaitCondition(WAIT, () -> !old.isOpen(), () -> "the old connection stayed open: " + server + ", " + client.poolStats());
        awaitCondition(WAIT, () -> client.poolStats().closedBy(CloseReason.GOAWAY) == 1, () -> client.poolStats().toString());
        assertEquals(0, old.wire().streamsOpenedAfterGoAway(), "the old connection took a stream after GOAWAY");
        assertEquals(1, server.closedConnections());
        assertTrue(server.connection(2).isOpen(), "the new connection closed");
        assertEquals(0, client.poolStats().streams());
    }

    /** RFC 9113's graceful shutdown: GOAWAY(2^31-1), then the real one; streams open before either complete. */
    @Test
    void aGracefulDoubleGoAwayLetsOpenStreamsFinishAndSendsNewRequestsElsewhere() throws Exception {
        H2Gate gate = new H2Gate();
        H2Server server = servers.start(tlsServer().script(r -> r.path().startsWith("/held/") ? H2Reply.heldBy(gate, describe(r)) : describe(r)).build());
        KeepwellHttpClient client = leaks.newClient(trustingClient());
        List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            held.add(client.sendAsync(get(server, "/held/" + i), HttpResponse.BodyHandlers.ofString()));
        }
        awaitCondition(WAIT, () -> server.openStreams() == 2, server::toString);
        H2ServerConnection old = server.connection(1);

        await(old.gracefulGoAway(java.time.Duration.ofMillis(200)));
        assertEquals(List.of(Integer.MAX_VALUE, old.wire().streamIds().get(1)), old.wire().goAwayLastStreamIds());
        assertEquals("connection 2 GET ", await(client.sendAsync(get(server, "/new"), HttpResponse.BodyHandlers.ofString())).body());
        gate.release();
        for (CompletableFuture<HttpResponse<String>> f : held) {
            assertEquals("connection 1 GET ", await(f).body());
        }
        awaitCondition(WAIT, () -> !old.isOpen(), () -> "the old connection stayed open: " + server + ", " + client.poolStats());
        awaitCondition(WAIT, () -> client.poolStats().closedBy(CloseReason.GOAWAY) == 1, () -> client.poolStats().toString());
        assertEquals(0, old.wire().streamsOpenedAfterGoAway(), "the old connection took a stream after GOAWAY");
    }
}
