package io.keepwell.it.h2;

import io.keepwell.it.support.ClientLeakCheck;
import io.keepwell.it.support.h2.H2Server;
import io.keepwell.it.support.h2.H2ServerConnection;
import io.keepwell.it.support.h2.H2Servers;
import io.keepwell.netty.KeepwellHttpClient;
import io.keepwell.pool.CloseReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import static io.keepwell.it.h2.H2Clients.WAIT;
import static io.keepwell.it.h2.H2Clients.await;
import static io.keepwell.it.h2.H2Clients.get;
import static io.keepwell.it.h2.H2Clients.tlsServer;
import static io.keepwell.it.h2.H2Clients.trustingClient;
import static io.keepwell.it.support.Witnesses.awaitCondition;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A connection that goes silent (open, but answering nothing, PINGs included) is found by PING. */
class H2PingTest {

    private static final Duration PING_INTERVAL = Duration.ofMillis(300);
    private static final Duration PING_TIMEOUT = Duration.ofMillis(300);
    /** Interval plus timeout, and room for a loaded machine. */
    private static final Duration DETECTED_WITHIN = Duration.ofSeconds(3);

    @RegisterExtension
    final H2Servers servers = new H2Servers();

    @RegisterExtension
    final ClientLeakCheck leaks = new ClientLeakCheck();

    @Test
    void aBlackHoledConnectionIsClosedForItsUnansweredPingAndItsRequestEnds() throws Exception {
        H2Server server = servers.start(tlsServer().script(H2Clients::servedOn).build());
        KeepwellHttpClient client = leaks.newClient(trustingClient().http2PingInterval(PING_INTERVAL).http2PingTimeout(PING_TIMEOUT));
        assertEquals("connection 1", await(client.sendAsync(get(server, "/warm-up"), HttpResponse.BodyHandlers.ofString())).body());
        H2ServerConnection silent = server.connection(1);

        silent.silence();
        long silencedAt = System.nanoTime();
        CompletableFuture<HttpResponse<String>> inFlight = client.sendAsync(get(server, "/into-the-void"), HttpResponse.BodyHandlers.ofString());
        awaitCondition(DETECTED_WITHIN, () -> !silent.isOpen(), () -> "the silent connection is still open: " + server + ", " + client.poolStats());
        long detectedMillis = (System.nanoTime() - silencedAt) / 1_000_000;

        awaitCondition(WAIT, () -> client.poolStats().closedBy(CloseReason.PING_TIMEOUT) == 1,
                () -> "closed " + detectedMillis + " ms after silence, but not for PING_TIMEOUT: " + client.poolStats());
        assertTrue(silent.wire().pingsReceived() >= 1, "no PING reached the server");
        try {
            assertEquals("connection 2", await(inFlight).body(), "the retried GET went to a new connection");
        } catch (ExecutionException e) {
            assertInstanceOf(IOException.class, e.getCause());
        }
    }
}
