package io.keepwell.it.h2;

import io.keepwell.http.StreamResetException;
import io.keepwell.it.support.ClientLeakCheck;
import io.keepwell.it.support.h2.H2Gate;
import io.keepwell.it.support.h2.H2Reply;
import io.keepwell.it.support.h2.H2Reset;
import io.keepwell.it.support.h2.H2Server;
import io.keepwell.it.support.h2.H2Servers;
import io.keepwell.netty.KeepwellHttpClient;
import io.keepwell.pool.CloseReason;
import io.keepwell.pool.PoolConfig;
import io.netty.handler.codec.http2.Http2Error;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static io.keepwell.it.h2.H2Clients.WAIT;
import static io.keepwell.it.h2.H2Clients.await;
import static io.keepwell.it.h2.H2Clients.failureOf;
import static io.keepwell.it.h2.H2Clients.get;
import static io.keepwell.it.h2.H2Clients.servedOn;
import static io.keepwell.it.h2.H2Clients.tlsServer;
import static io.keepwell.it.h2.H2Clients.trustingClient;
import static io.keepwell.it.support.Witnesses.awaitCondition;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** RST_STREAM both ways: refused streams, a server's reset, and the client's own on cancel. */
class H2ResetTest {

    @RegisterExtension
    final H2Servers servers = new H2Servers();

    @RegisterExtension
    final ClientLeakCheck leaks = new ClientLeakCheck();

    private static String body(KeepwellHttpClient client, H2Server server, String path) throws Exception {
        return await(client.sendAsync(get(server, path), HttpResponse.BodyHandlers.ofString())).body();
    }

    /** One connection allowed, so a request can only reach a second connection once the first is retired. */
    @Test
    void aRefusedStreamIsRetriedAndASecondRefusalRetiresTheConnection() throws Exception {
        H2Server server = servers.start(tlsServer().script(H2Clients::servedOn).build());
        KeepwellHttpClient client = leaks.newClient(trustingClient().pool(PoolConfig.builder().maxConnectionsPerHost(1).build()));
        assertEquals("connection 1", body(client, server, "/warm-up"));

        server.refuseNextStreams(1);
        assertEquals("connection 1", body(client, server, "/refused-once"), "a first REFUSED_STREAM retired the connection");
        assertEquals(1, server.resetsSent(Http2Error.REFUSED_STREAM));

        server.refuseNextStreams(1);
        assertEquals("connection 2", body(client, server, "/refused-again"), "a second REFUSED_STREAM did not retire the connection");
        assertEquals(2, server.connection(1).wire().resetsSent().size());
        assertEquals("connection 2", body(client, server, "/after"));
        awaitCondition(WAIT, () -> !server.connection(1).isOpen(), server::toString);
        awaitCondition(WAIT, () -> client.poolStats().closedBy(CloseReason.STREAMS_REFUSED) == 1, () -> client.poolStats().toString());
        assertEquals(2, server.acceptedConnections());
    }

    @Test
    void anInternalErrorResetFailsThatStreamAloneAndTheOthersComplete() throws Exception {
        H2Gate gate = new H2Gate();
        H2Server server = servers.start(tlsServer()
                .script(r -> r.path().equals("/boom") ? H2Reply.reset(Http2Error.INTERNAL_ERROR) : H2Reply.heldBy(gate, servedOn(r))).build());
        KeepwellHttpClient client = leaks.newClient(trustingClient());
        CompletableFuture<HttpResponse<String>> first = client.sendAsync(get(server, "/held/1"), HttpResponse.BodyHandlers.ofString());
        CompletableFuture<HttpResponse<String>> second = client.sendAsync(get(server, "/held/2"), HttpResponse.BodyHandlers.ofString());
        awaitCondition(WAIT, () -> server.openStreams() == 2, server::toString);

        StreamResetException reset = assertInstanceOf(StreamResetException.class,
                failureOf(client.sendAsync(get(server, "/boom"), HttpResponse.BodyHandlers.ofString())));
        assertEquals("INTERNAL_ERROR", reset.errorName());
        assertEquals(Http2Error.INTERNAL_ERROR.code(), reset.errorCode());
        assertFalse(reset.unprocessed());

        gate.release();
        assertEquals("connection 1", await(first).body());
        assertEquals("connection 1", await(second).body());
        assertEquals(1, server.acceptedConnections());
    }

    @Test
    void cancellingARequestSendsOneCancelResetAndTheConnectionServesOn() throws Exception {
        H2Gate gate = new H2Gate();
        H2Server server = servers.start(tlsServer()
                .script(r -> r.path().equals("/slow") ? H2Reply.heldBy(gate, servedOn(r)) : servedOn(r)).build());
        KeepwellHttpClient client = leaks.newClient(trustingClient());
        CompletableFuture<HttpResponse<String>> slow = client.sendAsync(get(server, "/slow"), HttpResponse.BodyHandlers.ofString());
        awaitCondition(WAIT, () -> server.openStreams() == 1, server::toString);
        int streamId = server.connection(1).wire().streamIds().get(0);

        slow.cancel(true);
        awaitCondition(WAIT, () -> !server.resetsReceived().isEmpty(), () -> "no RST_STREAM after cancel: " + server);
        assertEquals("connection 1", body(client, server, "/next"));
        gate.release();
        assertEquals("connection 1", body(client, server, "/after-release"));

        assertEquals(List.of(new H2Reset(1, streamId, Http2Error.CANCEL.code())), server.resetsReceived());
        assertEquals(1, server.acceptedConnections());
    }
}
