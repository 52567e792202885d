package io.keepwell.bench.load;

import io.keepwell.bench.server.EmbeddedServer;
import io.keepwell.bench.util.Loopback;
import io.keepwell.http.HttpRequest;
import io.keepwell.http.HttpResponse;
import io.keepwell.netty.NettyHttpClient;
import io.keepwell.pool.PoolStats;
import io.netty.util.concurrent.FastThreadLocal;
import org.HdrHistogram.Histogram;

import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;

/**
 * A closed-loop load generator: {@code concurrency} lanes, each with exactly one request in flight,
 * each sending its next request from the completion of the previous one (on the I/O thread that
 * completed it). The hot path takes no lock and allocates nothing of its own: the request is built
 * once, the body handler is shared, each lane is its own completion callback, and latencies go to
 * a histogram owned by the completing thread.
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
            server = EmbeddedServer.builder()
                    .responseSize(options.responseSize())
                    .threads(options.serverThreads())
                    .transport(options.transport())
                    .start();
            target = server.uri("/");
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
        NettyHttpClient client = NettyHttpClient.builder()
                .pool(options.poolConfig())
                .eventLoopThreads(options.ioThreads())
                .transport(options.transport())
                .build();
        HttpRequest request = buildRequest(target, options.method(), options.bodySize());
        long t0 = System.nanoTime();
        long measureStart = t0 + options.warmup().toNanos();
        long measureEnd = measureStart + options.duration().toNanos();
        Run run = new Run(client, request, measureStart, measureEnd, options.concurrency());
        CpuClock cpu = new CpuClock(server);

        Lane[] lanes = new Lane[options.concurrency()];
        for (int i = 0; i < lanes.length; i++) {
            lanes[i] = new Lane(run);
        }
        for (Lane lane : lanes) {
            lane.send();
        }

        boolean printProgress = options.progress() && progress != null;
        long lastCompleted = 0;
        long nextTick = t0 + TimeUnit.SECONDS.toNanos(1);
        CpuClock.Sample cpuAtStart = null;
        PoolStats statsAtStart = null;
        while (true) {
            long now = System.nanoTime();
            if (statsAtStart == null && now - measureStart >= 0) {
                cpuAtStart = cpu.sample();
                statsAtStart = client.poolStats();
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
            long wakeAt = Math.min(nextTick, statsAtStart == null ? measureStart : measureEnd);
            LockSupport.parkNanos(Math.max(wakeAt - System.nanoTime(), 100_000));
        }
        CpuClock.Sample cpuAtEnd = cpu.sample();
        PoolStats statsAtEnd = client.poolStats();
        int openAtEnd = client.openChannels();

        // Lanes stop at their first completion past the window; give stragglers a bounded time.
        Duration drain = Duration.ofSeconds(Math.max(10, options.duration().toSeconds()));
        boolean drained = run.lanesDone.await(drain.toMillis(), TimeUnit.MILLISECONDS);
        long stuck = run.lanesDone.getCount();
        closeClient(client);
        // The I/O threads that wrote the histograms have stopped: their writes are visible now.
        Histogram latency = new Histogram(HIGHEST_MICROS, 3);
        for (Histogram h : run.allHistograms) {
            latency.add(h);
        }
        run.histograms.remove();

        Map<String, Long> errors = new TreeMap<>();
        run.errorsByType.forEach((type, count) -> errors.put(type, count.sum()));
        if (!drained) {
            errors.put("StillInFlightAfterDrain", stuck);
        }
        return new LoadResult(options, target, server != null, client.transport().name(),
                run.measured.sum(), measureEnd - measureStart, latency, errors,
                statsAtStart, statsAtEnd, openAtEnd, cpuAtStart, cpuAtEnd);
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

    private static void closeClient(NettyHttpClient client) throws InterruptedException {
        try {
            client.closeAsync().get(10, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the client did not close within 10 s", e);
        }
    }

    /** State shared by the lanes of one run. Written by many threads only through adders and per-thread histograms. */
    static final class Run {
        final NettyHttpClient client;
        final HttpRequest request;
        final HttpResponse.BodyHandler<Long> handler = ReadingSubscriber.HANDLER; // reads every body, as wrk does
        final long measureStart;
        final long measureEnd;
        final LongAdder completed = new LongAdder();  // every response or failure, for the progress line
        final LongAdder measured = new LongAdder();   // responses completed inside the window
        final LongAdder errors = new LongAdder();
        final ConcurrentHashMap<String, LongAdder> errorsByType = new ConcurrentHashMap<>();
        final ConcurrentLinkedQueue<Histogram> allHistograms = new ConcurrentLinkedQueue<>();
        final CountDownLatch lanesDone;
        /** One histogram per completing thread, so recording needs neither lock nor atomic. */
        final FastThreadLocal<Histogram> histograms = new FastThreadLocal<>() {
            @Override
            protected Histogram initialValue() {
                Histogram h = new Histogram(HIGHEST_MICROS, 3);
                allHistograms.add(h);
                return h;
            }
        };

        Run(NettyHttpClient client, HttpRequest request, long measureStart, long measureEnd, int lanes) {
            this.client = client;
            this.request = request;
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
     * One request in flight at a time. Its fields are touched by one thread at a time, handed
     * from the thread that sends to the one that completes through the client's own futures.
     */
    static final class Lane implements BiConsumer<HttpResponse<Long>, Throwable> {
        private final Run run;
        private long startNanos;

        Lane(Run run) {
            this.run = run;
        }

        /** Sends until a request is in flight; a request that completes at once is handled in the loop, not by recursion. */
        void send() {
            while (true) {
                long now = System.nanoTime();
                if (now - run.measureEnd >= 0) {
                    run.lanesDone.countDown();
                    return;
                }
                startNanos = now;
                CompletableFuture<HttpResponse<Long>> f;
                try {
                    f = run.client.sendAsync(run.request, run.handler);
                } catch (RuntimeException e) {
                    record(null, e);
                    continue;
                }
                if (!f.isDone()) {
                    f.whenComplete(this);
                    return;
                }
                HttpResponse<Long> response = null;
                Throwable error = null;
                try {
                    response = f.join();
                } catch (CompletionException | java.util.concurrent.CancellationException e) {
                    error = e;
                }
                record(response, error);
            }
        }

        @Override
        public void accept(HttpResponse<Long> response, Throwable error) {
            record(response, error);
            send();
        }

        private void record(HttpResponse<Long> response, Throwable error) {
            long end = System.nanoTime();
            run.completed.increment();
            if (error != null) {
                Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                run.error(cause.getClass().getSimpleName());
                return;
            }
            int status = response.statusCode();
            if (status >= 400) {
                run.error("HTTP " + status);
                return;
            }
            if (end - run.measureStart >= 0 && end - run.measureEnd < 0) {
                run.measured.increment();
                long micros = (end - startNanos) / 1000;
                run.histograms.get().recordValue(Math.min(micros, HIGHEST_MICROS));
            }
        }
    }

    /** Process CPU, the embedded server's share of it, and garbage collections, sampled together. */
    static final class CpuClock {
        private final EmbeddedServer server;
        private final com.sun.management.OperatingSystemMXBean os;

        CpuClock(EmbeddedServer server) {
            this.server = server;
            this.os = ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean sun ? sun : null;
        }

        record Sample(long processCpuNanos, long serverCpuNanos, long gcCount, long gcMillis) {
        }

        Sample sample() {
            long gcCount = 0;
            long gcMillis = 0;
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                gcCount += Math.max(0, gc.getCollectionCount());
                gcMillis += Math.max(0, gc.getCollectionTime());
            }
            return new Sample(os == null ? -1 : os.getProcessCpuTime(), server == null ? 0 : server.cpuNanos(), gcCount, gcMillis);
        }
    }
}
