package io.keepwell.bench.load;

import io.keepwell.bench.server.EmbeddedServer;
import io.keepwell.bench.util.AllocatedBytes;
import io.keepwell.bench.util.Loopback;
import java.net.http.HttpRequest;
import io.keepwell.bench.util.TcpConnections;
import io.keepwell.pool.PoolStats;
import org.HdrHistogram.Histogram;

import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * A closed-loop load generator: {@code concurrency} lanes, each with exactly one request in flight,
 * each sending its next request from the completion of the previous one (on the I/O thread that
 * completed it). The same loop drives Keepwell or a peer client ({@link ClientKind}, one
 * {@link LoadClient} each). The hot path allocates nothing of its own for Keepwell: the request is
 * built once, the body handler is shared, each lane has its own completion callback, and latencies
 * go to a histogram owned by the completing thread. Per request it takes one CAS (the lane's
 * hand-off between sender and completer) and one uncontended lock (the histogram's, so that a
 * client whose completion threads outlive its close still hands its records to the merge).
 *
 * <p>As with every closed loop, a slow response delays the next request, so the latencies show
 * service time, not what an open-loop arrival rate would see (coordinated omission).
 */
public final class LoadGenerator {

    /** Latencies above this are recorded as this. */
    static final long HIGHEST_MICROS = TimeUnit.SECONDS.toMicros(60);

    private LoadGenerator() {
    }

    /** Runs the load; {@code progress} gets a line a second when enabled. */
    public static LoadResult run(LoadOptions options, PrintStream progress) throws InterruptedException {
        EmbeddedServer server = null;
        URI target = options.target();
        if (target == null) {
            Http2Options h2 = options.http2();
            EmbeddedServer.Builder b = EmbeddedServer.builder()
                    .responseSize(options.responseSize())
                    .threads(options.serverThreads())
                    .transport(options.transport());
            if (h2 != null) {
                b.protocol(h2.tls() ? EmbeddedServer.Protocol.H2 : EmbeddedServer.Protocol.H2C)
                        .maxConcurrentStreams(h2.streams())
                        .http2Windows(h2.streamWindow(), h2.connectionWindow());
            }
            server = b.start();
            target = server.uri("/");
            if (h2 != null && h2.tls()) {
                options = options.withHttp2(h2.withTrust(server.certificate().certificate()));
            }
        } else {
            Loopback.require(target);
        }
        try {
            return run(options, target, server, progress);
        } finally {
            if (server != null) {
                server.close();
            }
        }
    }

    private static LoadResult run(LoadOptions options, URI target, EmbeddedServer server, PrintStream progress)
            throws InterruptedException {
        LoadClient client;
        try {
            client = options.client().create(options, target, requestBody(options.method(), options.bodySize()));
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("could not start the " + options.client().label() + " client", e);
        }
        if (options.http2() != null) {
            try {
                prime(client, Duration.ofSeconds(30));
            } catch (RuntimeException | InterruptedException e) {
                closeClient(client);
                throw e;
            }
        }
        long t0 = System.nanoTime();
        long measureStart = t0 + options.warmup().toNanos();
        long measureEnd = measureStart + options.duration().toNanos();
        Run run = new Run(measureStart, measureEnd, options.concurrency());
        CpuClock cpu = new CpuClock(server);
        int port = target.getPort() >= 0 ? target.getPort() : "https".equalsIgnoreCase(target.getScheme()) ? 443 : 80;

        Lane[] lanes = new Lane[options.concurrency()];
        for (int i = 0; i < lanes.length; i++) {
            lanes[i] = new Lane(run);
            lanes[i].sender = client.sender(lanes[i]);
        }
        for (Lane lane : lanes) {
            lane.send();
        }

        boolean printProgress = options.progress() && progress != null;
        long lastCompleted = 0;
        long nextTick = t0 + TimeUnit.SECONDS.toNanos(1);
        CpuClock.Sample cpuAtStart = null;
        PoolStats statsAtStart = null;
        Set<Integer> socketsAtStart = null;
        boolean started = false;
        while (true) {
            long now = System.nanoTime();
            if (!started && now - measureStart >= 0) {
                started = true;
                cpuAtStart = cpu.sample();
                statsAtStart = client.poolStats();
                socketsAtStart = TcpConnections.toRemotePort(port);
            }
            if (now - measureEnd >= 0) {
                break;
            }
            if (now - nextTick >= 0) {
                long completed = run.completed.sum();
                if (printProgress) {
                    progress.printf("[%5.1fs] %-7s %,10d req/s  errors %,d  open %d%n",
                            (now - t0) / 1e9, intervalInWarmup(now, measureStart) ? "warmup" : "measure",
                            completed - lastCompleted, run.errors.sum(), client.openChannels());
                }
                lastCompleted = completed;
                nextTick += TimeUnit.SECONDS.toNanos(1);
            }
            long wakeAt = Math.min(nextTick, started ? measureEnd : measureStart);
            LockSupport.parkNanos(Math.max(wakeAt - System.nanoTime(), 100_000));
        }
        CpuClock.Sample cpuAtEnd = cpu.sample();
        PoolStats statsAtEnd = client.poolStats();
        int openAtEnd = client.openChannels();
        Set<Integer> socketsAtEnd = TcpConnections.toRemotePort(port);

        // Lanes stop at their first completion past the window; give stragglers a bounded time.
        Duration drain = Duration.ofSeconds(Math.max(10, options.duration().toSeconds()));
        boolean drained = run.lanesDone.await(drain.toMillis(), TimeUnit.MILLISECONDS);
        long stuck = run.lanesDone.getCount();
        String transport = client.transport();
        String responseVersion = client.responseVersion();
        closeClient(client);
        // The threads that wrote the histograms have stopped or handed off through the close: merge.
        Histogram latency = new Histogram(HIGHEST_MICROS, 3);
        for (Histogram h : run.allHistograms) {
            synchronized (h) {
                latency.add(h);
            }
        }

        Map<String, Long> errors = new TreeMap<>();
        run.errorsByType.forEach((type, count) -> errors.put(type, count.sum()));
        if (!drained) {
            errors.put("StillInFlightAfterDrain", stuck);
        }
        return new LoadResult(options, target, server != null, transport, responseVersion,
                run.measured.sum(), measureEnd - measureStart, latency, errors,
                statsAtStart, statsAtEnd, openAtEnd, cpuAtStart, cpuAtEnd,
                Sockets.of(socketsAtStart, socketsAtEnd));
    }

    /**
     * An HTTP/2 run sends one request before the lanes start, so that the first connection is up
     * and its SETTINGS known when C requests arrive at once. Without it the JDK's client opens a
     * connection per request of the first burst (and pools one of them), and every client spends
     * its warmup on TLS handshakes: the run is to measure multiplexing, not a connect storm.
     */
    private static void prime(LoadClient client, Duration timeout) throws InterruptedException {
        java.util.concurrent.CompletableFuture<Integer> done = new java.util.concurrent.CompletableFuture<>();
        client.sender((status, error) -> {
            if (error != null) {
                done.completeExceptionally(error);
            } else {
                done.complete(status);
            }
        }).send();
        int status;
        try {
            status = done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("the " + client.name() + " client's priming request failed: " + e.getCause(), e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("the " + client.name() + " client's priming request got no answer in " + timeout, e);
        }
        if (status < 200 || status >= 400) {
            throw new IllegalStateException("the " + client.name() + " client's priming request got HTTP " + status);
        }
    }

    /** Whether most of the second that ends at {@code now} was warmup. */
    private static boolean intervalInWarmup(long now, long measureStart) {
        return now - TimeUnit.MILLISECONDS.toNanos(500) - measureStart < 0;
    }

    static HttpRequest buildRequest(URI target, String method, int bodySize) {
        HttpRequest.Builder b = HttpRequest.newBuilder(target);
        if (bodySize > 0 || method.equals("POST") || method.equals("PUT")) {
            byte[] body = new byte[bodySize];
            for (int i = 0; i < body.length; i++) {
                body[i] = (byte) ('a' + i % 26);
            }
            b.method(method, HttpRequest.BodyPublishers.ofByteArray(body));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return b.build();
    }

    /** The request body every client sends, or {@code null} for none (the same bytes as {@link #buildRequest}). */
    static byte[] requestBody(String method, int bodySize) {
        if (bodySize > 0 || method.equals("POST") || method.equals("PUT")) {
            byte[] body = new byte[bodySize];
            for (int i = 0; i < body.length; i++) {
                body[i] = (byte) ('a' + i % 26);
            }
            return body;
        }
        return null;
    }

    private static void closeClient(LoadClient client) throws InterruptedException {
        try {
            client.close();
        } catch (InterruptedException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("the " + client.name() + " client did not close cleanly", e);
        }
    }

    /**
     * Established connections to the target's port at the window's start and end (from /proc, so
     * for every client alike): {@code kept} of those at the start were still there at the end,
     * {@code newInWindow} appeared during the window (a lower bound on reconnects).
     */
    record Sockets(int atStart, int atEnd, int kept, int newInWindow) {
        static Sockets of(Set<Integer> start, Set<Integer> end) {
            if (start == null || end == null) {
                return new Sockets(-1, -1, -1, -1);
            }
            Set<Integer> kept = new HashSet<>(start);
            kept.retainAll(end);
            Set<Integer> fresh = new HashSet<>(end);
            fresh.removeAll(start);
            return new Sockets(start.size(), end.size(), kept.size(), fresh.size());
        }
    }

    /**
     * State shared by the lanes of one run. Written by many threads only through adders and
     * per-thread histograms. Peers complete on threads Netty's {@code FastThreadLocal} does not
     * know (JDK executors, Jetty's and Apache's pools), so the histograms hang off a plain
     * {@link ThreadLocal}; each is written by its one thread and locked only when merged.
     */
    static final class Run {
        final long measureStart;
        final long measureEnd;
        final LongAdder completed = new LongAdder();  // every response or failure, for the progress line
        final LongAdder measured = new LongAdder();   // responses completed inside the window
        final LongAdder errors = new LongAdder();
        final ConcurrentHashMap<String, LongAdder> errorsByType = new ConcurrentHashMap<>();
        final ConcurrentLinkedQueue<Histogram> allHistograms = new ConcurrentLinkedQueue<>();
        final CountDownLatch lanesDone;
        /** One histogram per completing thread, so recording needs neither lock nor atomic. */
        final ThreadLocal<Histogram> histograms = ThreadLocal.withInitial(() -> {
            Histogram h = new Histogram(HIGHEST_MICROS, 3);
            allHistograms.add(h);
            return h;
        });

        Run(long measureStart, long measureEnd, int lanes) {
            this.measureStart = measureStart;
            this.measureEnd = measureEnd;
            this.lanesDone = new CountDownLatch(lanes);
        }

        void error(String type) {
            errors.increment();
            LongAdder count = errorsByType.get(type);
            if (count == null) {
                count = errorsByType.computeIfAbsent(type, t -> new LongAdder());
            }
            count.increment();
        }
    }

    /**
     * One request in flight at a time. A completion that arrives while {@link #send} is still
     * inside the client's send (a client that completes on the calling thread) is handed back to
     * the sending loop through {@code state} instead of recursing; otherwise the completing
     * thread sends the next request itself.
     */
    static final class Lane implements LoadClient.Callback {
        private static final int IDLE = 0;
        private static final int SENDING = 1;
        private static final int COMPLETED_INLINE = 2;

        private final Run run;
        private final AtomicInteger state = new AtomicInteger(IDLE);
        LoadClient.Sender sender;
        private long startNanos;

        Lane(Run run) {
            this.run = run;
        }

        void send() {
            while (true) {
                long now = System.nanoTime();
                if (now - run.measureEnd >= 0) {
                    run.lanesDone.countDown();
                    return;
                }
                startNanos = now;
                state.set(SENDING);
                try {
                    sender.send();
                } catch (RuntimeException e) {
                    state.set(IDLE);
                    record(0, e);
                    continue;
                }
                if (state.compareAndSet(SENDING, IDLE)) {
                    return; // in flight; the completion sends the next
                }
                // completed inside send(): loop instead of recursing
            }
        }

        @Override
        public void completed(int status, Throwable error) {
            record(status, error);
            if (state.compareAndSet(SENDING, COMPLETED_INLINE)) {
                return;
            }
            send();
        }

        private void record(int status, Throwable error) {
            long end = System.nanoTime();
            run.completed.increment();
            if (error != null) {
                Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                run.error(cause.getClass().getSimpleName());
                return;
            }
            if (status >= 400 || status < 100) {
                run.error("HTTP " + status);
                return;
            }
            if (end - run.measureStart >= 0 && end - run.measureEnd < 0) {
                run.measured.increment();
                long micros = (end - startNanos) / 1000;
                Histogram h = run.histograms.get();
                synchronized (h) { // uncontended: only this thread writes it; the lock orders it before the merge
                    h.recordValue(Math.min(micros, HIGHEST_MICROS));
                }
            }
        }
    }

    /**
     * Process CPU, garbage collections and bytes allocated by the live threads, with the embedded
     * server's share of CPU and allocation, sampled together.
     */
    static final class CpuClock {
        private final EmbeddedServer server;
        private final com.sun.management.OperatingSystemMXBean os;

        CpuClock(EmbeddedServer server) {
            this.server = server;
            this.os = ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean sun ? sun : null;
        }

        record Sample(long processCpuNanos, long serverCpuNanos, long gcCount, long gcMillis,
                long processAllocatedBytes, long serverAllocatedBytes) {
        }

        Sample sample() {
            long gcCount = 0;
            long gcMillis = 0;
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                gcCount += Math.max(0, gc.getCollectionCount());
                gcMillis += Math.max(0, gc.getCollectionTime());
            }
            return new Sample(os == null ? -1 : os.getProcessCpuTime(), server == null ? 0 : server.cpuNanos(), gcCount, gcMillis,
                    AllocatedBytes.ofLiveThreads(), server == null ? 0 : server.allocatedBytes());
        }
    }
}
