package io.keepwell.bench.burst;

import io.keepwell.bench.util.Json;
import io.keepwell.pool.CloseReason;
import io.keepwell.pool.PoolStats;
import io.keepwell.pool.RefuseReason;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one burst run saw, and whether it passed. Every count is read from a witness other than
 * the pool where one exists: Netty's channel group, {@code /proc/self/fd}, the JVM's threads, the
 * server's own view of its connections.
 *
 * @param options            what was run
 * @param transport          EPOLL or NIO, as the client resolved it
 * @param ok                 requests that got a response
 * @param failedByType       requests that failed, by exception type
 * @param channels           the client's open channels (Netty's channel group)
 * @param poolOpen           the pool's own count of open connections
 * @param sockets            sockets of this process, client and server ends together; -1 without /proc
 * @param serverConnections  connections the server sees open
 * @param threads            live threads of the JVM
 * @param baseline           sockets and threads before the server started ({@link Counts#before}) and after it stopped ({@link Counts#afterClose})
 * @param stats              the pool's stats once the burst settled
 * @param elapsedMillis      from the first request to the last response
 */
public record BurstResult(
        BurstOptions options,
        String transport,
        int ok,
        Map<String, Long> failedByType,
        Counts channels,
        Counts poolOpen,
        Counts sockets,
        Counts serverConnections,
        Counts threads,
        Baseline baseline,
        PoolStats stats,
        long elapsedMillis) {

    /** A count before the burst, with every request held (the peak), once settled, and after the client closed; -1 if not seen. */
    public record Counts(int before, int peak, int after, int afterClose) {
    }

    /** Sockets and threads before the server started and after it stopped: the whole run must give back what it took. */
    public record Baseline(int socketsBefore, int socketsAfter, int threadsBefore, int threadsAfter) {
    }

    public BurstResult {
        failedByType = Map.copyOf(failedByType);
    }

    /** Requests that failed. */
    public long failed() {
        long sum = 0;
        for (long n : failedByType.values()) {
            sum += n;
        }
        return sum;
    }

    /** Why the run failed; empty when it passed. */
    public List<String> failures() {
        List<String> out = new ArrayList<>();
        int maxIdle = options.maxIdle();
        int burst = options.burst();
        if (ok != burst) {
            out.add(ok + " of " + burst + " requests got a response; failures " + failedByType);
        }
        if (channels.peak() != burst) {
            out.add("the burst peaked at " + channels.peak() + " channels, not " + burst
                    + ": the server did not hold every request on its own connection");
        }
        if (channels.after() > maxIdle) {
            out.add("after the burst the client has " + channels.after() + " open channels, more than maxIdlePerHost " + maxIdle);
        }
        if (poolOpen.after() > maxIdle) {
            out.add("after the burst the pool counts " + poolOpen.after() + " open connections, more than maxIdlePerHost " + maxIdle);
        }
        if (serverConnections.after() > maxIdle) {
            out.add("after the burst the server sees " + serverConnections.after() + " connections, more than maxIdlePerHost " + maxIdle);
        }
        if (sockets.before() >= 0 && sockets.after() > sockets.before() + 2 * maxIdle) {
            out.add("after the burst the process holds " + sockets.after() + " sockets, more than " + sockets.before()
                    + " + 2 x " + maxIdle + " kept connections");
        }
        if (channels.afterClose() != 0) {
            out.add(channels.afterClose() + " channels still open after close");
        }
        if (poolOpen.afterClose() != 0) {
            out.add("the pool counts " + poolOpen.afterClose() + " open connections after close");
        }
        if (serverConnections.afterClose() != 0) {
            out.add("the server still sees " + serverConnections.afterClose() + " connections after the client closed");
        }
        if (sockets.before() >= 0 && sockets.afterClose() > sockets.before()) {
            out.add("sockets leaked by the client: " + sockets.afterClose() + " after close, " + sockets.before() + " before");
        }
        if (threads.afterClose() > threads.before()) {
            out.add("threads leaked by the client: " + threads.afterClose() + " after close, " + threads.before() + " before");
        }
        if (baseline.socketsBefore() >= 0 && baseline.socketsAfter() > baseline.socketsBefore()) {
            out.add("sockets leaked by the run: " + baseline.socketsAfter() + " after the server stopped, "
                    + baseline.socketsBefore() + " before it started");
        }
        if (baseline.threadsAfter() > baseline.threadsBefore()) {
            out.add("threads leaked by the run: " + baseline.threadsAfter() + " after the server stopped, "
                    + baseline.threadsBefore() + " before it started");
        }
        return out;
    }

    public boolean passed() {
        return failures().isEmpty();
    }

    /** Refusals by reason, every reason listed. */
    public Map<String, Long> refusals() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (RefuseReason r : RefuseReason.values()) {
            out.put(r.name(), stats.refused(r));
        }
        return out;
    }

    /** Closes by reason, only the reasons that occurred. */
    public Map<String, Long> closes() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (CloseReason r : CloseReason.values()) {
            long n = stats.closedBy(r);
            if (n > 0) {
                out.put(r.name(), n);
            }
        }
        return out;
    }

    /** The human report. */
    public String toTable() {
        StringBuilder t = new StringBuilder(1024);
        t.append(String.format("Keepwell burst: %d concurrent GETs held by the server until all arrived, then 204; maxIdlePerHost=%d%n",
                options.burst(), options.maxIdle()));
        row(t, "transport", transport + " (" + options.ioThreads() + " I/O threads)");
        row(t, "requests", options.burst() + " sent, " + ok + " ok, " + failed() + " failed"
                + (failedByType.isEmpty() ? "" : " " + failedByType) + ", " + elapsedMillis + " ms");
        t.append(String.format("%-22s %8s %8s %8s %12s%n", "", "before", "peak", "after", "after close"));
        counts(t, "client channels", channels);
        counts(t, "pool open", poolOpen);
        counts(t, "server connections", serverConnections);
        counts(t, "process sockets", sockets);
        counts(t, "threads", threads);
        StringBuilder refused = new StringBuilder();
        for (Map.Entry<String, Long> e : refusals().entrySet()) {
            if (e.getValue() > 0) {
                refused.append(refused.length() == 0 ? "" : ", ").append(e.getKey()).append('=').append(e.getValue());
            }
        }
        row(t, "refused", refused.length() == 0 ? "none" : refused + " (total " + stats.refusedTotal() + ")");
        row(t, "opened/reused/closed", stats.opened() + " / " + stats.reused() + " / " + stats.closed());
        row(t, "closed by reason", closes().isEmpty() ? "none" : closes().toString());
        row(t, "whole run", "sockets " + baseline.socketsBefore() + " -> " + baseline.socketsAfter()
                + ", threads " + baseline.threadsBefore() + " -> " + baseline.threadsAfter()
                + " (before the server started -> after it stopped)");
        List<String> failures = failures();
        if (failures.isEmpty()) {
            row(t, "verdict", "PASS: " + channels.after() + " connection(s) kept (max " + options.maxIdle()
                    + "), nothing left after close");
        } else {
            row(t, "verdict", "FAIL");
            for (String f : failures) {
                row(t, "", "- " + f);
            }
        }
        return t.toString();
    }

    /** The same as one JSON line. */
    public String toJson() {
        return Json.object()
                .put("command", "burst")
                .put("transport", transport)
                .put("requests", options.burst())
                .put("maxIdlePerHost", options.maxIdle())
                .put("ioThreads", options.ioThreads())
                .put("ok", ok)
                .put("failed", failed())
                .put("failedByType", failedByType)
                .put("elapsedMillis", elapsedMillis)
                .put("channels", json(channels))
                .put("poolOpen", json(poolOpen))
                .put("serverConnections", json(serverConnections))
                .put("sockets", json(sockets))
                .put("threads", json(threads))
                .put("wholeRun", Json.object()
                        .put("socketsBefore", baseline.socketsBefore()).put("socketsAfter", baseline.socketsAfter())
                        .put("threadsBefore", baseline.threadsBefore()).put("threadsAfter", baseline.threadsAfter()))
                .put("refused", refusals())
                .put("opened", stats.opened())
                .put("reused", stats.reused())
                .put("closed", stats.closed())
                .put("closedByReason", closes())
                .put("passed", passed())
                .put("failures", failures())
                .toString();
    }

    private static Json json(Counts c) {
        return Json.object().put("before", c.before()).put("peak", c.peak()).put("after", c.after()).put("afterClose", c.afterClose());
    }

    private static void row(StringBuilder t, String name, String value) {
        t.append(String.format("%-22s %s%n", name, value));
    }

    private static void counts(StringBuilder t, String name, Counts c) {
        t.append(String.format("%-22s %8s %8s %8s %12s%n", name, show(c.before()), show(c.peak()), show(c.after()), show(c.afterClose())));
    }

    private static String show(int n) {
        return n < 0 ? "-" : Integer.toString(n);
    }
}
