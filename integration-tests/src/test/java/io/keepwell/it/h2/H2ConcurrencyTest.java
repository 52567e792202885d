package io.keepwell.it.h2;

import io.keepwell.it.support.ClientLeakCheck;
import io.keepwell.it.support.h2.H2Gate;
import io.keepwell.it.support.h2.H2Reply;
import io.keepwell.it.support.h2.H2Server;
import io.keepwell.it.support.h2.H2Servers;
import io.keepwell.netty.KeepwellHttpClient;
import io.keepwell.pool.PoolConfig;
import io.netty.handler.codec.http2.Http2Error;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static io.keepwell.it.h2.H2Clients.WAIT;
import static io.keepwell.it.h2.H2Clients.await;
import static io.keepwell.it.h2.H2Clients.get;
import static io.keepwell.it.h2.H2Clients.servedOn;
import static io.keepwell.it.h2.H2Clients.tlsServer;
import static io.keepwell.it.h2.H2Clients.trustingClient;
import static io.keepwell.it.support.Witnesses.awaitCondition;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Streams per connection against SETTINGS_MAX_CONCURRENT_STREAMS: at the start, held, and changed mid-flight. */
class H2ConcurrencyTest {

    @RegisterExtension
    final H2Servers servers = new H2Servers();

    @RegisterExtension
    final ClientLeakCheck leaks = new ClientLeakCheck();

    private static List<CompletableFuture<HttpResponse<String>>> sendAll(KeepwellHttpClient client, H2Server server, String prefix, int n) {
        List<CompletableFuture<HttpResponse<String>>> futures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            futures.add(client.sendAsync(get(server, prefix + i), HttpResponse.BodyHandlers.ofString()));
        }
        return futures;
    }

    private static void assertAllServedOverHttp2(List<CompletableFuture<HttpResponse<String>>> futures) throws Exception {
        for (CompletableFuture<HttpResponse<String>> f : futures) {
            HttpResponse<String> response = await(f);
            assertEquals(200, response.statusCode());
            assertEquals(HttpClient.Version.HTTP_2, response.version());
        }
    }

    /**
     * The contract's pool may dial a second connection as soon as the first one's SETTINGS say 100
     * (maxConnectionsPerHost is unlimited), so "accepted when the first response is back" would
     * race; what must hold is that nothing else was dialled before the first connection could speak.
     */
    @Test
    void aBurstOf200ToAFreshOriginWaitsForTheFirstConnectionsSettingsAndIsNeverRefused() throws Exception {
        H2Server server = servers.start(tlsServer().maxConcurrentStreams(100).script(H2Clients::servedOn).build());
        KeepwellHttpClient client = leaks.newClient(trustingClient());
        List<CompletableFuture<HttpResponse<String>>> burst = sendAll(client, server, "/burst/", 200);
        assertAllServedOverHttp2(burst);
        assertEquals(1, server.connection(1).acceptedConnectionsWhenReady(),
                "connections were dialled before the first one's SETTINGS could arrive: " + server);
        assertTrue(server.acceptedConnections() <= 2, "more than 2 connections: " + server);
        assertTrue(server.connection(1).wire().streamsOpened() >= 100, "the first connection was not filled: " + server);
        assertEquals(0, server.resetsSent(Http2Error.REFUSED_STREAM), "streams over the limit: " + server.resetsSent());
        assertEquals(200, server.streamsOpened());
        assertTrue(server.peakOpenStreamsOnAConnection() <= 100);
    }

    @Test
    void tenHeldRequestsTakeTwoStreamsAtATimeOnTheOneConnection() throws Exception {
        H2Gate gate = new H2Gate();
        H2Server server = servers.start(tlsServer().maxConcurrentStreams(2).script(r -> H2Reply.heldBy(gate, servedOn(r))).build());
        KeepwellHttpClient client = leaks.newClient(trustingClient().pool(PoolConfig.builder().maxConnectionsPerHost(1).build()));
        List<CompletableFuture<HttpResponse<String>>> held = sendAll(client, server, "/held/", 10);
        awaitCondition(WAIT, () -> server.openStreams() == 2 && client.poolStats().pending() == 8,
                () -> server + ", " + client.poolStats());
        assertEquals(2, client.poolStats().streams());
        gate.release();
        assertAllServedOverHttp2(held);
        assertEquals(2, server.peakOpenStreams(), "streams open at once on the wire");
        assertEquals(0, server.resetsSent(Http2Error.REFUSED_STREAM));
        assertEquals(10, server.streamsOpened());
        assertEquals(1, server.acceptedConnections());
    }

    @Test
    void loweringThenRaisingTheLimitMidFlightKeepsEveryCountExact() throws Exception {
        H2Gate first = new H2Gate();
        H2Gate queued = new H2Gate();
        H2Server server = servers.start(tlsServer().maxConcurrentStreams(10)
                .script(r -> H2Reply.heldBy(r.path().startsWith("/first/") ? first : queued, servedOn(r))).build());
        KeepwellHttpClient client = leaks.newClient(trustingClient().pool(PoolConfig.builder().maxConnectionsPerHost(1).build()));
        List<CompletableFuture<HttpResponse<String>>> firstTen = sendAll(client, server, "/first/", 10);
        awaitCondition(WAIT, () -> server.openStreams() == 10, server::toString);
        List<CompletableFuture<HttpResponse<String>>> five = sendAll(client, server, "/queued/", 5);
        awaitCondition(WAIT, () -> client.poolStats().pending() == 5, () -> client.poolStats().toString());

        server.maxConcurrentStreams(2);
        awaitCondition(WAIT, () -> server.connection(1).wire().ackedMaxConcurrentStreams() == 2, server::toString);
        first.release();
        assertAllServedOverHttp2(firstTen);
        awaitCondition(WAIT, () -> server.openStreams() == 2 && client.poolStats().streams() == 2 && client.poolStats().pending() == 3,
                () -> server + ", " + client.poolStats());
        assertEquals(0, server.resetsSent(Http2Error.REFUSED_STREAM), "streams opened over the lowered limit after its ack");

        server.maxConcurrentStreams(10);
        awaitCondition(WAIT, () -> server.openStreams() == 5 && client.poolStats().streams() == 5 && client.poolStats().pending() == 0,
                () -> "the queued requests did not start when the limit rose: " + server + ", " + client.poolStats());
        queued.release();
        assertAllServedOverHttp2(five);
        awaitCondition(WAIT, () -> client.poolStats().streams() == 0 && client.openStreams() == 0,
                () -> client.poolStats() + ", open streams " + client.openStreams());
        assertEquals(0, server.resetsSent(Http2Error.REFUSED_STREAM));
        assertEquals(15, server.streamsOpened());
        assertEquals(1, server.acceptedConnections());
    }
}
