package io.keepwell.bench.burst;

import io.keepwell.bench.server.EmbeddedServer;
import io.keepwell.bench.util.ProcessWitness;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import io.keepwell.netty.KeepwellHttpClient;
import io.keepwell.pool.PoolConfig;
import io.keepwell.pool.PoolStats;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The leak Keepwell is built around, shown live (Go's {@code TestTransportPersistConnLeak}): N
 * concurrent GETs that the server holds until all have arrived, so the client must open N
 * connections, then answers at once; with {@code maxIdlePerHost} M the pool must refuse N - M of
 * them and each refusal must close its connection. Counts come from witnesses that share no code
 * with the pool: Netty's channel group, the server's connections, {@code /proc/self/fd}, the JVM's
 * threads.
 */
public final class BurstDemo {

    private BurstDemo() {
    }

    /** Runs the burst; never throws for what it observes (that goes in the result), only for what stops it from observing. */
    public static BurstResult run(BurstOptions options) throws InterruptedException {
        warmUpNettyStatics(options);
        Duration timeout = options.timeout();
        int socketsBaseline = ProcessWitness.sockets();
        int threadsBaseline = ProcessWitness.liveThreads();

        AtomicReference<KeepwellHttpClient> clientRef = new AtomicReference<>();
        AtomicReference<EmbeddedServer> serverRef = new AtomicReference<>();
        Peak peak = new Peak();
        BurstResult.Counts channels;
        BurstResult.Counts poolOpen;
        BurstResult.Counts sockets;
        BurstResult.Counts serverConnections;
        BurstResult.Counts threads;
        Map<String, Long> failedByType = new TreeMap<>();
        int ok = 0;
        long elapsedMillis;
        PoolStats statsAfter;
        String transport;

        try (EmbeddedServer server = EmbeddedServer.builder()
                .transport(options.transport())
                .hold(options.burst(), () -> peak.record(clientRef.get(), serverRef.get()))
                .start()) {
            serverRef.set(server);
            int socketsBefore = ProcessWitness.sockets();
            int threadsBefore = ProcessWitness.liveThreads();
            KeepwellHttpClient client = KeepwellHttpClient.newBuilder()
                    .pool(PoolConfig.builder().maxIdlePerHost(options.maxIdle()).build())
                    .eventLoopThreads(options.ioThreads())
                    .transport(options.transport())
                    .build();
            clientRef.set(client);
            transport = client.transport().name();
            int channelsBefore = client.openChannels();
            int poolBefore = client.poolStats().open();
            int serverBefore = server.openConnections();
            int channelsAfter;
            int poolAfter;
            int serverAfter;
            int socketsAfter;
            int threadsAfter;
            try {
                long start = System.nanoTime();
                List<CompletableFuture<HttpResponse<Void>>> futures = new ArrayList<>(options.burst());
                for (int i = 0; i < options.burst(); i++) {
                    HttpRequest request = HttpRequest.newBuilder(server.uri("/burst/" + i)).GET().build();
                    futures.add(client.sendAsync(request, io.keepwell.http.KeepwellBodyHandlers.discarding()));
                }
                try {
                    CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0]))
                            .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                } catch (TimeoutException | ExecutionException e) {
                    server.releaseHeld(); // give up: answer whatever is held so nothing waits forever
                }
                elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                for (CompletableFuture<HttpResponse<Void>> f : futures) {
                    if (!f.isDone()) {
                        failedByType.merge("NotDone", 1L, Long::sum);
                    } else if (f.isCompletedExceptionally()) {
                        failedByType.merge(failureType(f), 1L, Long::sum);
                    } else {
                        ok++;
                    }
                }
                int maxIdle = options.maxIdle();
                ProcessWitness.await(timeout, () -> client.openChannels() <= maxIdle
                        && client.poolStats().open() <= maxIdle
                        && server.openConnections() <= maxIdle
                        && (socketsBefore < 0 || ProcessWitness.sockets() <= socketsBefore + 2 * maxIdle));
                statsAfter = client.poolStats();
                channelsAfter = client.openChannels();
                poolAfter = statsAfter.open();
                serverAfter = server.openConnections();
                socketsAfter = ProcessWitness.sockets();
                threadsAfter = ProcessWitness.liveThreads();
            } finally {
                closeClient(client, timeout);
            }
            ProcessWitness.await(timeout, () -> server.openConnections() == 0
                    && (socketsBefore < 0 || ProcessWitness.sockets() <= socketsBefore)
                    && ProcessWitness.liveThreads() <= threadsBefore);
            channels = new BurstResult.Counts(channelsBefore, peak.channels, channelsAfter, client.openChannels());
            poolOpen = new BurstResult.Counts(poolBefore, peak.poolOpen, poolAfter, client.poolStats().open());
            serverConnections = new BurstResult.Counts(serverBefore, peak.serverConnections, serverAfter, server.openConnections());
            sockets = new BurstResult.Counts(socketsBefore, peak.sockets, socketsAfter, ProcessWitness.sockets());
            threads = new BurstResult.Counts(threadsBefore, peak.threads, threadsAfter, ProcessWitness.liveThreads());
        }
        ProcessWitness.await(timeout, () -> (socketsBaseline < 0 || ProcessWitness.sockets() <= socketsBaseline)
                && ProcessWitness.liveThreads() <= threadsBaseline);
        BurstResult.Baseline baseline = new BurstResult.Baseline(socketsBaseline, ProcessWitness.sockets(),
                threadsBaseline, ProcessWitness.liveThreads());
        return new BurstResult(options, transport, ok, failedByType, channels, poolOpen, sockets, serverConnections,
                threads, baseline, statsAfter, elapsedMillis);
    }

    /**
     * Netty opens a few descriptors and starts a few threads once per process, when its native
     * transport and its global executors first load; a client built and closed before the
     * baselines are taken keeps that out of the counts.
     */
    private static void warmUpNettyStatics(BurstOptions options) throws InterruptedException {
        KeepwellHttpClient warmUp = KeepwellHttpClient.newBuilder().eventLoopThreads(1).transport(options.transport()).build();
        closeClient(warmUp, options.timeout());
    }

    private static void closeClient(KeepwellHttpClient client, Duration timeout) throws InterruptedException {
        try {
            client.closeAsync().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // reported through the counts after close
        }
    }

    private static String failureType(CompletableFuture<?> f) {
        try {
            f.join();
            return "None";
        } catch (CompletionException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            return cause.getClass().getSimpleName();
        } catch (java.util.concurrent.CancellationException e) {
            return "CancellationException";
        }
    }

    /** What the server's hold gate saw when the last request arrived: every request in flight, each on its own connection. */
    private static final class Peak {
        volatile int channels = -1;
        volatile int poolOpen = -1;
        volatile int serverConnections = -1;
        volatile int sockets = -1;
        volatile int threads = -1;

        void record(KeepwellHttpClient client, EmbeddedServer server) {
            if (client != null) {
                channels = client.openChannels();
                poolOpen = client.poolStats().open();
            }
            if (server != null) {
                serverConnections = server.openConnections();
            }
            sockets = ProcessWitness.sockets();
            threads = ProcessWitness.liveThreads();
        }
    }
}
