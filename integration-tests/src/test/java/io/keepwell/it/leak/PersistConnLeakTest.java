package io.keepwell.it.leak;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import io.keepwell.it.support.Actions;
import io.keepwell.it.support.ScriptedServer;
import io.keepwell.it.support.Witnesses;
import io.keepwell.netty.KeepwellHttpClient;
import io.keepwell.pool.PoolConfig;
import io.keepwell.pool.PoolStats;
import io.keepwell.pool.RefuseReason;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.keepwell.it.support.Witnesses.awaitCondition;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Port of Go's {@code TestTransportPersistConnLeak} (golang/go commit d0a7d01, 2012): 100
 * concurrent requests are held by the server until all have arrived, then answered at once, with
 * only 2 idle connections allowed per host. The pool must refuse 98 connections and each refusal
 * must take its connection with it. Counted by three witnesses that do not share code: the pool's
 * stats, the server's view of open connections, and the sockets in {@code /proc/self/fd}; and the
 * client's threads must come back to their baseline after close.
 */
class PersistConnLeakTest {

    private static final int BURST = 100;
    private static final int MAX_IDLE = 2;
    private static final int IO_THREADS = 2;
    private static final Duration DEADLINE = Duration.ofSeconds(20);

    private enum Variant {
        /** 204 with Content-Length: 0, as in Go's test. */
        NO_CONTENT,
        /** A body the caller discards. */
        DISCARDED_BODY,
        /** Every response says Connection: close. */
        CONNECTION_CLOSE,
        /** The client has keep-alive off. */
        KEEP_ALIVE_OFF,
        /** The caller closes idle connections after the burst. */
        CLOSE_IDLE_AFTER
    }

    /**
     * Netty's native transport opens a socket of its own once per process, when its statics load;
     * take the baselines after that has happened.
     */
    @BeforeAll
    static void loadNettyStatics() {
        KeepwellHttpClient.newBuilder().eventLoopThreads(1).build().close();
    }

    @Test
    void burstWithNoContentResponsesKeepsAtMostMaxIdle() throws Exception {
        PoolStats stats = runBurst(Variant.NO_CONTENT);
        assertEquals(BURST - MAX_IDLE, stats.refused(RefuseReason.TOO_MANY_IDLE_FOR_HOST), stats::toString);
        assertEquals(MAX_IDLE, stats.idle(), stats::toString);
    }

    @Test
    void burstWithDiscardedBodiesKeepsAtMostMaxIdle() throws Exception {
        PoolStats stats = runBurst(Variant.DISCARDED_BODY);
        assertEquals(BURST - MAX_IDLE, stats.refused(RefuseReason.TOO_MANY_IDLE_FOR_HOST), stats::toString);
    }

    @Test
    void burstWithConnectionCloseResponsesKeepsNothing() throws Exception {
        PoolStats stats = runBurst(Variant.CONNECTION_CLOSE);
        assertEquals(BURST, stats.refused(RefuseReason.NOT_REUSABLE), stats::toString);
        assertEquals(0, stats.idle(), stats::toString);
    }

    @Test
    void burstWithKeepAliveOffKeepsNothing() throws Exception {
        PoolStats stats = runBurst(Variant.KEEP_ALIVE_OFF);
        assertEquals(BURST, stats.refused(RefuseReason.KEEP_ALIVE_DISABLED), stats::toString);
    }

    @Test
    void closeIdleConnectionsAfterTheBurstClosesTheKeptOnes() throws Exception {
        PoolStats stats = runBurst(Variant.CLOSE_IDLE_AFTER);
        assertEquals(0, stats.open(), stats::toString);
        assertEquals(MAX_IDLE, stats.closedBy(io.keepwell.pool.CloseReason.CLOSE_IDLE), stats::toString);
    }

    /** Runs the burst, checks every witness, closes the client; returns the stats seen after the burst. */
    private static PoolStats runBurst(Variant variant) throws Exception {
        int threadsBefore = Witnesses.clientSideThreads();
        CountDownLatch allArrived = new CountDownLatch(BURST);
        ScriptedServer.Action answer = switch (variant) {
            case NO_CONTENT, KEEP_ALIVE_OFF, CLOSE_IDLE_AFTER -> Actions.respond(204, "", "");
            case DISCARDED_BODY -> Actions.ok("x".repeat(4096));
            case CONNECTION_CLOSE -> Actions.respond(200, "bye", "Connection: close\r\n");
        };
        try (ScriptedServer server = ScriptedServer.start(request -> {
            allArrived.countDown();
            return Actions.holdUntil(allArrived, DEADLINE.toMillis(), answer);
        })) {
            int socketsWithServer = Witnesses.processSockets();
            PoolConfig pool = PoolConfig.builder()
                    .maxIdlePerHost(MAX_IDLE)
                    .keepAlive(variant != Variant.KEEP_ALIVE_OFF)
                    .build();
            KeepwellHttpClient client = KeepwellHttpClient.newBuilder().pool(pool).eventLoopThreads(IO_THREADS).build();
            try {
                List<CompletableFuture<HttpResponse<Void>>> futures = new ArrayList<>();
                for (int i = 0; i < BURST; i++) {
                    futures.add(client.sendAsync(HttpRequest.newBuilder(server.uri("/burst/" + i)).build(),
                            io.keepwell.http.KeepwellBodyHandlers.discarding()));
                }
                CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0])).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
                for (CompletableFuture<HttpResponse<Void>> f : futures) {
                    int status = f.join().statusCode();
                    assertTrue(status == 204 || status == 200, "status " + status);
                }
                assertEquals(BURST, server.acceptedConnections(), "every held request needed its own connection");
                if (variant == Variant.CLOSE_IDLE_AFTER) {
                    awaitCondition(DEADLINE, () -> client.poolStats().idle() == MAX_IDLE, () -> client.poolStats().toString());
                    client.closeIdleConnections();
                }
                int kept = switch (variant) {
                    case NO_CONTENT, DISCARDED_BODY -> MAX_IDLE;
                    case CONNECTION_CLOSE, KEEP_ALIVE_OFF, CLOSE_IDLE_AFTER -> 0;
                };
                awaitCondition(DEADLINE, () -> client.poolStats().open() == kept,
                        () -> "pool: " + client.poolStats());
                awaitCondition(DEADLINE, () -> server.openConnections() == kept,
                        () -> "server sees " + server.openConnections() + " open, expected " + kept);
                awaitCondition(DEADLINE, () -> client.openChannels() == kept,
                        () -> "channel group holds " + client.openChannels());
                if (socketsWithServer >= 0) {
                    // each kept connection is two sockets in this process: the client's and the server's end
                    awaitCondition(DEADLINE, () -> Witnesses.processSockets() <= socketsWithServer + 2 * kept,
                            () -> "process sockets " + Witnesses.processSockets() + ", expected at most " + (socketsWithServer + 2 * kept));
                }
                assertEquals(IO_THREADS, Witnesses.threadsNamed("keepwell-io"), "event-loop threads");
                PoolStats stats = client.poolStats();
                assertEquals(BURST, stats.opened(), stats::toString);
                assertEquals(0, stats.active(), stats::toString);
                assertEquals(0, stats.pending(), stats::toString);
                return stats;
            } finally {
                client.closeAsync().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
                assertEquals(0, client.poolStats().open(), "open after close");
                awaitCondition(DEADLINE, () -> server.openConnections() == 0, () -> "server still sees " + server.openConnections());
                awaitCondition(DEADLINE, () -> Witnesses.processSockets() <= socketsWithServer,
                        () -> "process sockets after close " + Witnesses.processSockets() + " > " + socketsWithServer);
                awaitCondition(DEADLINE, () -> Witnesses.clientSideThreads() <= threadsBefore,
                        () -> "threads after close " + Witnesses.clientSideThreads() + " > baseline " + threadsBefore);
            }
        }
    }
}
