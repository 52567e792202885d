package io.keepwell.it.soak;

import io.keepwell.http.ClientClosedException;
import io.keepwell.http.HttpProtocolException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import io.keepwell.http.PrematureCloseException;
import io.keepwell.it.support.ChaosServer;
import io.keepwell.it.support.ChaosServer.Fault;
import io.keepwell.it.support.TestCertificates;
import io.keepwell.it.support.Witnesses;
import io.keepwell.netty.KeepwellHttpClient;
import io.keepwell.pool.AcquireTimeoutException;
import io.keepwell.pool.PoolConfig;
import io.keepwell.pool.PoolExhaustedException;
import io.keepwell.pool.PoolStats;
import io.netty.handler.ssl.SslContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import static io.keepwell.it.support.Witnesses.awaitCondition;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The randomized chaos soak: many requests (GET, POST, PUT over several hosts, 64 at a time,
 * through several client settings) with every kind of request body ({@link SoakBodies.Kind}:
 * byte arrays, input streams, publishers of known and unknown length emitting synchronously or
 * from another thread, files over http and over https), against a {@link ChaosServer} that resets, truncates, delays,
 * closes idle connections, sends unsolicited bytes, and answers {@code Connection: close} or
 * HTTP/1.0. At the end of each client's phase, and of the whole run, it checks:
 * <ul>
 *   <li>every future completed, within the run's wall-time bound;</li>
 *   <li>every failure is one of the typed exceptions a request may fail with;</li>
 *   <li>every success is the response to its own request (id and body), or the server's 408;</li>
 *   <li>no POST was executed twice by the server, nor a PUT whose body cannot be produced again
 *       (a publisher's);</li>
 *   <li>every execution, first or replayed, received its request's whole body, unchanged;</li>
 *   <li>once settled, the client's open connections equal its channel group, the server's count,
 *       and half the process's new sockets; after close all are zero and the threads are back to
 *       their baseline;</li>
 *   <li>no request is sent on a connection that already holds bytes the server sent after a
 *       response (they would be taken for its response);</li>
 *   <li>the paranoid leak detector stays silent (the LeakReportGuard extension).</li>
 * </ul>
 * One request in a hundred is cancelled by its caller after up to 3 ms, and three in a hundred
 * read their body slowly ({@link TrickleSubscriber}), so reading stops and resumes mid-fault.
 * It prints one summary line. Properties: {@code keepwell.soak.requests} (default 200000),
 * {@code keepwell.soak.concurrency} (64), {@code keepwell.soak.seed} (random; printed, so a
 * failing run is repeated with the same seed: the same requests, hosts, bodies and cancellations,
 * and the same fault for each request; only the timing differs), {@code keepwell.soak.maxSeconds}
 * (300, the wall bound of the whole run). 200,000 requests take about 1.5 minutes on 2 busy cores.
 */
class SoakTest {

    private static final int REQUESTS = Integer.getInteger("keepwell.soak.requests", 200_000);
    private static final int CONCURRENCY = Integer.getInteger("keepwell.soak.concurrency", 64);
    private static final Duration MAX_WALL = Duration.ofSeconds(Long.getLong("keepwell.soak.maxSeconds", 300));
    private static final Duration SETTLE = Duration.ofSeconds(20);
    private static final int HOSTS = 4;

    /** Weights of the server's faults: about one request in four misbehaves. */
    private static final Map<Fault, Integer> MIX = faultMix();

    /** Failures a request may end with today; anything else fails the soak. */
    private static final Set<Class<? extends Throwable>> TYPED = Set.of(ConnectException.class,
            PrematureCloseException.class, HttpProtocolException.class, ClientClosedException.class,
            PoolExhaustedException.class, AcquireTimeoutException.class);

    private enum Method { GET, POST, PUT }

    private static final byte NO_BODY = -1;

    /** One client setting and its share of the requests. */
    private record Phase(String name, int ioThreads, int maxRetries, PoolConfig pool) {
    }

    private static List<Phase> phases() {
        return List.of(
                new Phase("defaults", 2, 1, PoolConfig.defaults()),
                // at most 6 connections per host for 64 callers: waiters, hand-offs, and a short queue that overflows
                new Phase("capped", 1, 2, PoolConfig.builder().maxConnectionsPerHost(6).maxIdlePerHost(2)
                        .maxPendingAcquires(12).acquireTimeout(Duration.ofSeconds(5)).build()),
                // connections expire while in use and while idle; few may stay idle
                new Phase("churn", 2, 1, PoolConfig.builder().idleTimeout(Duration.ofMillis(20))
                        .maxLifetime(Duration.ofMillis(200)).lifetimeJitter(Duration.ofMillis(100))
                        .maxIdlePerHost(4).maxIdleTotal(8).build()),
                new Phase("no-retry", 2, 0, PoolConfig.builder().maxIdlePerHost(1).build()),
                // a connection per request, on one I/O thread
                new Phase("keep-alive-off", 1, 1, PoolConfig.builder().keepAlive(false).build()));
    }

    private static Map<Fault, Integer> faultMix() {
        Map<Fault, Integer> m = new EnumMap<>(Fault.class);
        m.put(Fault.BEHAVE, 60);
        m.put(Fault.BEHAVE_CHUNKED, 14);
        m.put(Fault.DELAY_HEADERS, 3);
        m.put(Fault.CLOSE_WHEN_IDLE, 5);
        m.put(Fault.UNSOLICITED_WHEN_IDLE, 2);
        m.put(Fault.TRAILING_GARBAGE, 1);
        m.put(Fault.RESET_BEFORE_RESPONSE, 2);
        m.put(Fault.RESET_DURING_HEADERS, 2);
        m.put(Fault.RESET_DURING_BODY, 2);
        m.put(Fault.TRUNCATE_BODY, 2);
        m.put(Fault.CONNECTION_CLOSE, 4);
        m.put(Fault.HTTP10_CLOSE, 2);
        m.put(Fault.HTTP10_KEEP_ALIVE, 2);
        return m;
    }

    /** Netty's native transport opens a socket once per process when its statics load; do that before any baseline. */
    @BeforeAll
    static void loadNettyStatics() {
        KeepwellHttpClient.newBuilder().eventLoopThreads(1).build().close();
    }

    @Test
    void chaosSoak() throws Exception {
        long seed = Long.getLong("keepwell.soak.seed", new SplittableRandom().nextLong());
        System.out.println("SOAK seed=" + seed + " (repeat with -Dkeepwell.soak.seed=" + seed + ")");
        long deadline = System.nanoTime() + MAX_WALL.toNanos();
        long started = System.nanoTime();
        List<Phase> phases = phases();
        Tally tally = new Tally(REQUESTS);
        SplittableRandom random = new SplittableRandom(seed);
        long opened = 0;
        long reused = 0;
        long retried = 0;
        ScheduledThreadPoolExecutor helper = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "soak-helper");
            t.setDaemon(true);
            return t;
        });
        helper.prestartAllCoreThreads(); // before any thread baseline is taken
        ThreadPoolExecutor emitters = new ThreadPoolExecutor(2, 2, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "soak-publisher");
            t.setDaemon(true);
            return t;
        });
        emitters.prestartAllCoreThreads();
        TestCertificates certificates = TestCertificates.generate("ip:127.0.0.1");
        SslContext trusting = KeepwellHttpClient.tlsContextBuilder().trustManager(certificates.certificate()).build();
        try (SoakBodies bodies = new SoakBodies(emitters);
             ChaosServer server = ChaosServer.startWithTls(seed, MIX, HOSTS, REQUESTS, 1, certificates.serverContext())) {
            Context context = new Context(server, bodies, trusting, helper, deadline, seed);
            int nextId = 0;
            for (int p = 0; p < phases.size(); p++) {
                int count = p == phases.size() - 1 ? REQUESTS - nextId : REQUESTS / phases.size();
                long phaseStart = System.nanoTime();
                PoolStats stats = runPhase(phases.get(p), context, random.split(), nextId, count, tally);
                System.out.printf("SOAK phase %s: %d requests in %d ms; %s%n", phases.get(p).name(), count,
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - phaseStart), stats);
                nextId += count;
                opened += stats.opened();
                reused += stats.reused();
                retried += stats.retried();
            }
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            System.out.printf("SOAK seed=%d requests=%d ok=%d failures=%s retries=%d replayedOnServer=%d "
                            + "duplicatedNonIdempotent=%d incompleteBodies=%d connections=%d reuse=%.3f serverConnections=%d "
                            + "kinds=%s faults=%s time=%dms%n",
                    seed, REQUESTS, tally.ok.sum(), tally.failureCounts(), retried, tally.executedMoreThanOnce(server),
                    tally.duplicatedNonIdempotent(server), server.corruptRequests(), opened,
                    reused / (double) Math.max(1, reused + opened), server.acceptedConnections(), tally.kindCounts(),
                    server.faultCounts(), millis);
            tally.assertClean(server, seed);
        } finally {
            helper.shutdownNow();
            emitters.shutdownNow();
        }
    }

    /** What every phase shares. */
    private record Context(ChaosServer server, SoakBodies bodies, SslContext tls, ScheduledExecutorService helper,
                           long deadline, long seed) {
    }

    /** Sends {@code count} requests with ids from {@code firstId} through one client, then checks and closes it. */
    private static PoolStats runPhase(Phase phase, Context context, SplittableRandom random, int firstId, int count,
                                      Tally tally) throws Exception {
        ChaosServer server = context.server();
        ScheduledExecutorService helper = context.helper();
        long deadline = context.deadline();
        long seed = context.seed();
        List<URI> hosts = server.hosts();
        int socketsBefore = Witnesses.processSockets();
        int threadsBefore = Witnesses.clientSideThreads();
        KeepwellHttpClient client = KeepwellHttpClient.newBuilder().pool(phase.pool()).eventLoopThreads(phase.ioThreads())
                .maxRetries(phase.maxRetries()).nettySslContext(context.tls()).build();
        Map<Integer, HttpRequest> outstanding = new ConcurrentHashMap<>();
        Semaphore permits = new Semaphore(CONCURRENCY);
        PoolStats stats;
        try {
            for (int i = 0; i < count; i++) {
                int id = firstId + i;
                if (!permits.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    throw new AssertionError(overrun(phase, seed, outstanding, client));
                }
                Method method = Method.values()[random.nextInt(10) < 5 ? 0 : random.nextInt(2) + 1];
                SoakBodies.Kind kind = method == Method.GET ? null : SoakBodies.draw(random);
                // files go half over https (no zero copy there); one other request in 40 does too
                boolean secure = kind == SoakBodies.Kind.FILE || kind == SoakBodies.Kind.FILE_ZERO_COPY ? random.nextBoolean() : random.nextInt(40) == 0;
                URI host = secure ? server.tlsHost() : hosts.get(random.nextInt(hosts.size()));
                HttpRequest request = request(method, kind, host, id, random, context.bodies());
                tally.method[id] = (byte) method.ordinal();
                tally.kind[id] = kind == null ? NO_BODY : (byte) kind.ordinal();
                outstanding.put(id, request);
                CompletableFuture<HttpResponse<byte[]>> future;
                try {
                    future = client.sendAsync(request, random.nextInt(100) < 3
                            ? info -> new TrickleSubscriber(helper, 300)
                            : HttpResponse.BodyHandlers.ofByteArray());
                } catch (RuntimeException e) {
                    future = CompletableFuture.failedFuture(e);
                }
                if (random.nextInt(100) == 0) {
                    // the caller gives up: before the lease, while waiting, mid-exchange, or too late
                    CompletableFuture<HttpResponse<byte[]>> cancelled = future;
                    helper.schedule(() -> cancelled.cancel(false), random.nextInt(3000), TimeUnit.MICROSECONDS);
                }
                future.whenComplete((response, error) -> {
                    outstanding.remove(id);
                    tally.record(id, response, error);
                    permits.release();
                });
            }
            if (!permits.tryAcquire(CONCURRENCY, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                throw new AssertionError(overrun(phase, seed, outstanding, client));
            }
            awaitConsistentCounts(client, server, socketsBefore);
            stats = client.poolStats();
        } finally {
            client.closeAsync().get(SETTLE.toSeconds(), TimeUnit.SECONDS);
        }
        PoolStats closed = client.poolStats();
        assertEquals(0, closed.open(), () -> phase.name() + " open after close: " + closed);
        assertEquals(0, client.openChannels(), () -> phase.name() + " channels after close");
        awaitCondition(SETTLE, () -> server.openConnections() == 0,
                () -> phase.name() + ": server still sees " + server.openConnections() + " after close");
        if (socketsBefore >= 0) {
            awaitCondition(SETTLE, () -> Witnesses.processSockets() <= socketsBefore,
                    () -> phase.name() + ": process sockets after close " + Witnesses.processSockets() + " > " + socketsBefore);
        }
        awaitCondition(SETTLE, () -> Witnesses.clientSideThreads() <= threadsBefore,
                () -> phase.name() + ": threads after close " + Witnesses.clientSideThreads() + " > baseline " + threadsBefore);
        return stats;
    }

    private static HttpRequest request(Method method, SoakBodies.Kind kind, URI host, int id, SplittableRandom random,
                                       SoakBodies bodies) {
        HttpRequest.Builder b = HttpRequest.newBuilder(host.resolve("/soak/" + id)).header(ChaosServer.ID_HEADER, Integer.toString(id));
        if (random.nextInt(50) == 0) {
            b.header("Connection", "close");
        }
        if (method == Method.GET) {
            return b.GET().build();
        }
        int length = SoakBodies.length(kind, random);
        b.header(ChaosServer.LENGTH_HEADER, Integer.toString(length));
        HttpRequest.BodyPublisher body = bodies.publisher(kind, id, length, random);
        return (method == Method.POST ? b.POST(body) : b.PUT(body)).build();
    }

    /**
     * With no request in flight, the client's open connections (pool) must equal its channel
     * group, the server's open connections, and half of the process's new sockets (each loopback
     * connection is two). The server's idle-time faults may still be closing some, so poll until
     * all agree.
     */
    private static void awaitConsistentCounts(KeepwellHttpClient client, ChaosServer server, int socketsBefore) {
        awaitCondition(SETTLE, () -> {
            PoolStats s = client.poolStats();
            return s.active() == 0 && s.pending() == 0 && s.connecting() == 0 && s.open() == s.idle()
                    && client.openChannels() == s.open() && server.openConnections() == s.open()
                    && (socketsBefore < 0 || Witnesses.processSockets() == socketsBefore + 2 * s.open());
        }, () -> "counts disagree: " + client.poolStats() + ", channels " + client.openChannels() + ", server "
                + server.openConnections() + ", new sockets " + (Witnesses.processSockets() - socketsBefore));
    }

    private static String overrun(Phase phase, long seed, Map<Integer, HttpRequest> outstanding, KeepwellHttpClient client) {
        List<String> sample = new ArrayList<>();
        outstanding.forEach((id, r) -> {
            if (sample.size() < 10) {
                sample.add(r.method() + " " + r.uri());
            }
        });
        return "soak exceeded its wall bound of " + MAX_WALL.toSeconds() + " s in phase " + phase.name() + " (seed " + seed
                + "): " + outstanding.size() + " requests not completed, e.g. " + sample + "; " + client.poolStats();
    }

    /** Outcomes, recorded from the I/O threads that complete the futures. */
    private static final class Tally {
        static final byte OK = 1;
        static final byte FAILED = 2;
        static final byte STATUS_408 = 3;
        static final byte CANCELLED = 4;
        final byte[] method;
        final byte[] kind;   // a SoakBodies.Kind's ordinal, or NO_BODY
        final LongAdder ok = new LongAdder();
        final LongAdder ok408 = new LongAdder();
        final LongAdder cancelled = new LongAdder();
        final byte[] outcome;  // 0 none yet, then OK, FAILED or STATUS_408
        final Map<Integer, String> failureOf = new ConcurrentHashMap<>();
        final byte[] nothingWritten; // 1: failed with a premature close that recorded no request byte written
        final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
        final ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        final LongAdder problemCount = new LongAdder();

        Tally(int requests) {
            method = new byte[requests];
            kind = new byte[requests];
            outcome = new byte[requests];
            nothingWritten = new byte[requests];
        }

        void record(int id, HttpResponse<byte[]> response, Throwable error) {
            if (error instanceof CancellationException) {
                cancelled.increment();
                outcome[id] = CANCELLED;
                return;
            }
            if (error != null) {
                Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                failures.computeIfAbsent(cause.getClass().getSimpleName(), k -> new LongAdder()).increment();
                outcome[id] = FAILED;
                failureOf.put(id, cause.toString());
                if (cause instanceof PrematureCloseException premature && premature.bytesWritten() == 0) {
                    nothingWritten[id] = 1;
                }
                if (!TYPED.contains(cause.getClass())) {
                    problem("request " + id + " failed with an untyped " + stackTrace(cause));
                }
                return;
            }
            if (response.statusCode() == 408) {
                ok408.increment(); // the server's unsolicited 408 raced this request onto the connection
                outcome[id] = STATUS_408;
                return;
            }
            Optional<String> echoed = response.headers().firstValue(ChaosServer.ID_HEADER);
            if (response.statusCode() != 200 || echoed.isEmpty() || !echoed.get().equals(Integer.toString(id))) {
                problem("request " + id + " got status " + response.statusCode() + " for id " + echoed.orElse("(none)"));
                return;
            }
            byte[] body = response.body();
            for (int i = 0; i < body.length; i++) {
                if (body[i] != ChaosServer.bodyByte(id, i)) {
                    problem("request " + id + ": body differs at byte " + i + " of " + body.length);
                    return;
                }
            }
            outcome[id] = OK;
            ok.increment();
        }

        private void problem(String text) {
            problemCount.increment();
            if (problems.size() < 10) {
                problems.add(text);
            }
        }

        /** Requests (GET and PUT, the replayable ones, if all is well) the server executed more than once. */
        long executedMoreThanOnce(ChaosServer server) {
            long n = 0;
            for (int id = 0; id < method.length; id++) {
                if (server.executions(id) > 1) {
                    n++;
                }
            }
            return n;
        }

        /**
         * Whether the server must never execute request {@code id} twice: a POST, or a PUT whose
         * body a publisher produced (it cannot be produced again, so it is never replayed).
         */
        boolean mustNotRepeat(int id) {
            if (method[id] == Method.POST.ordinal()) {
                return true;
            }
            return method[id] == Method.PUT.ordinal() && kind[id] != NO_BODY && SoakBodies.Kind.values()[kind[id]].fromPublisher();
        }

        long duplicatedNonIdempotent(ChaosServer server) {
            long n = 0;
            for (int id = 0; id < method.length; id++) {
                if (mustNotRepeat(id) && server.executions(id) > 1) {
                    n++;
                }
            }
            return n;
        }

        /** Requests by body kind (GETs as NONE). */
        Map<String, Long> kindCounts() {
            Map<String, Long> out = new TreeMap<>();
            for (byte k : kind) {
                out.merge(k == NO_BODY ? "NONE" : SoakBodies.Kind.values()[k].name(), 1L, Long::sum);
            }
            return out;
        }

        Map<String, Long> failureCounts() {
            Map<String, Long> out = new TreeMap<>();
            failures.forEach((k, v) -> out.put(k, v.sum()));
            if (cancelled.sum() > 0) {
                out.put("cancelledByCaller", cancelled.sum());
            }
            if (ok408.sum() > 0) {
                out.put("status408", ok408.sum());
            }
            return out;
        }

        void assertClean(ChaosServer server, long seed) {
            List<String> posts = new ArrayList<>();
            long notExecuted = 0;
            for (int id = 0; id < method.length; id++) {
                int n = server.executions(id);
                if (mustNotRepeat(id) && n > 1 && posts.size() < 10) {
                    posts.add(Method.values()[method[id]] + " " + id + " (" + kindName(id) + ") executed " + n + " times");
                }
                if (outcome[id] == OK && n == 0) {
                    notExecuted++;
                }
                // Such a request is sent again only after an attempt that wrote nothing, so the server cannot have
                // seen any attempt of one that failed saying so: else the fact that decides retries was wrong.
                if (mustNotRepeat(id) && nothingWritten[id] == 1 && n > 0) {
                    problem(Method.values()[method[id]] + " " + id + " (" + kindName(id) + ") failed with " + failureOf.get(id)
                            + " but the server executed it " + n + "x");
                }
                // The last execution is the last attempt's: its fault says whether the response got through.
                Fault fault = server.lastFault(id);
                if (fault != null && outcome[id] != STATUS_408 && outcome[id] != CANCELLED && fault.deliversResponse() != (outcome[id] == OK)) {
                    problem("request " + id + " (" + Method.values()[method[id]] + ", executed " + n + "x, last fault "
                            + fault + ") ended " + (outcome[id] == OK ? "OK" : "with " + failureOf.get(id)));
                }
            }
            assertTrue(problems.isEmpty(), () -> problemCount.sum() + " wrong outcomes (seed " + seed + "), e.g.\n"
                    + String.join("\n", problems));
            assertTrue(posts.isEmpty(), () -> "non-idempotent requests executed twice (seed " + seed + "): " + posts);
            assertEquals(0, notExecuted, () -> "successes the server never executed (seed " + seed + ")");
            List<Long> victims = server.staleVictims();
            assertTrue(victims.isEmpty(), () -> victims.size() + " requests were sent on a connection that already held"
                    + " stale bytes after a response (seed " + seed + "), e.g. " + victims.subList(0, Math.min(10, victims.size()))
                    + " ended " + victims.stream().limit(5).map(v -> v < 0 ? "?" : describe(v.intValue())).toList());
            assertEquals(0, server.corruptRequests(), () -> "requests that reached the server corrupted or incomplete (seed " + seed + ")");
        }

        private String kindName(int id) {
            return kind[id] == NO_BODY ? "no body" : SoakBodies.Kind.values()[kind[id]].name();
        }

        private String describe(int id) {
            return switch (outcome[id]) {
                case OK -> id + ": OK";
                case STATUS_408 -> id + ": 408";
                case CANCELLED -> id + ": cancelled";
                case FAILED -> id + ": " + failureOf.get(id);
                default -> id + ": not completed";
            };
        }

        private static String stackTrace(Throwable t) {
            java.io.StringWriter w = new java.io.StringWriter();
            t.printStackTrace(new java.io.PrintWriter(w));
            return w.toString();
        }
    }
}
