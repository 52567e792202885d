package io.keepwell.it.support;

import io.keepwell.netty.KeepwellHttpClient;
import io.keepwell.pool.PoolStats;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Builds the clients a test uses and, after the test, fails it if any client left a channel open
 * beyond its idle pool, a request waiting, an exchange timer scheduled, or (HTTP/2) a stream open,
 * a stream slot taken or held for a PING ack, or received bytes not returned to a connection's
 * window; then closes the clients
 * and checks that nothing at all stays open. Leaked buffers are LeakReportGuard's to find.
 */
public final class ClientLeakCheck implements AfterEachCallback {

    private static final Duration SETTLE = Duration.ofSeconds(10);
    private final List<KeepwellHttpClient> clients = new ArrayList<>();

    public KeepwellHttpClient newClient(KeepwellHttpClient.Builder builder) {
        KeepwellHttpClient client = builder.build();
        clients.add(client);
        return client;
    }

    public KeepwellHttpClient newClient() {
        return newClient(KeepwellHttpClient.newBuilder().eventLoopThreads(1));
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        try {
            for (KeepwellHttpClient client : clients) {
                Witnesses.awaitCondition(SETTLE, () -> settled(client), () -> "client not settled: " + client.poolStats()
                        + ", channels open " + client.openChannels());
                int timers = io.keepwell.netty.ClientInternals.armedExchangeTimers(client);
                if (timers != 0) {
                    throw new AssertionError(timers + " exchange deadline(s) still set with no exchange in flight");
                }
                // A held slot waits for a PING ack, which comes within the ping timeout of a live server.
                Witnesses.awaitCondition(SETTLE, () -> http2Residue(client).isEmpty(), () -> "HTTP/2 residue: " + http2Residue(client));
            }
        } finally {
            for (KeepwellHttpClient client : clients) {
                client.closeAsync().get(SETTLE.toSeconds(), TimeUnit.SECONDS);
            }
        }
        for (KeepwellHttpClient client : clients) {
            PoolStats stats = client.poolStats();
            if (stats.open() != 0 || client.openChannels() != 0) {
                throw new AssertionError("after close: " + stats + ", channels open " + client.openChannels());
            }
        }
        clients.clear();
    }

    private static boolean settled(KeepwellHttpClient client) {
        PoolStats s = client.poolStats();
        return s.active() == 0 && s.pending() == 0 && s.connecting() == 0 && s.open() == s.idle()
                && client.openChannels() == s.idle() && s.streams() == 0 && client.openStreams() == 0;
    }

    private static String http2Residue(KeepwellHttpClient client) {
        try {
            return io.keepwell.netty.ClientInternals.http2Residue(client);
        } catch (Exception e) {
            return "cannot inspect: " + e;
        }
    }
}
