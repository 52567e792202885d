package io.keepwell.bench.load;

import io.keepwell.bench.util.Json;
import io.keepwell.pool.CloseReason;
import io.keepwell.pool.PoolStats;
import io.keepwell.pool.RefuseReason;
import org.HdrHistogram.Histogram;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a load run measured ({@code responseVersion} is the HTTP version of the responses as the
 * client reported them, or {@code null} when it does not say; see {@link VersionWitness}). Request counts, latencies, CPU and pool counts are those of the
 * measured window only; errors are counted over the whole run, warmup included.
 */
public record LoadResult(
        LoadOptions options,
        URI target,
        boolean embeddedServer,
        String transport,
        String responseVersion,
        long requests,
        long windowNanos,
        Histogram latencyMicros,
        Map<String, Long> errors,
        PoolStats statsAtStart,
        PoolStats statsAtEnd,
        int openAtEnd,
        LoadGenerator.CpuClock.Sample cpuAtStart,
        LoadGenerator.CpuClock.Sample cpuAtEnd,
        LoadGenerator.Sockets sockets) {

    public double requestsPerSecond() {
        return requests / (windowNanos / 1e9);
    }

    public long errorCount() {
        long sum = 0;
        for (long n : errors.values()) {
            sum += n;
        }
        return sum;
    }

    /** Whether the run is usable: something was measured and nothing failed. */
    public boolean passed() {
        return requests > 0 && errors.isEmpty();
    }

    public long percentile(double p) {
        return latencyMicros.getValueAtPercentile(p);
    }

    /** CPU used by the client during the window: process CPU, less the embedded server's threads when it ran here. */
    public long clientCpuNanos() {
        if (cpuAtStart == null || cpuAtEnd == null || cpuAtStart.processCpuNanos() < 0) {
            return -1;
        }
        long process = cpuAtEnd.processCpuNanos() - cpuAtStart.processCpuNanos();
        long server = cpuAtEnd.serverCpuNanos() - cpuAtStart.serverCpuNanos();
        return process - Math.max(0, server);
    }

    public long serverCpuNanos() {
        return cpuAtStart == null ? -1 : cpuAtEnd.serverCpuNanos() - cpuAtStart.serverCpuNanos();
    }

    public double clientCpuMicrosPerRequest() {
        long cpu = clientCpuNanos();
        return cpu < 0 || requests == 0 ? Double.NaN : cpu / 1000.0 / requests;
    }

    public double clientCores() {
        long cpu = clientCpuNanos();
        return cpu < 0 ? Double.NaN : (double) cpu / windowNanos;
    }

    /**
     * Bytes allocated by the client during the window: the live threads' counters, less the embedded
     * server's threads when it ran here; -1 when the JVM cannot count them. Threads that died in the
     * window are missing (see {@link io.keepwell.bench.util.AllocatedBytes}).
     */
    public long clientAllocatedBytes() {
        if (cpuAtStart == null || cpuAtEnd == null || cpuAtStart.processAllocatedBytes() < 0 || cpuAtEnd.processAllocatedBytes() < 0) {
            return -1;
        }
        long process = cpuAtEnd.processAllocatedBytes() - cpuAtStart.processAllocatedBytes();
        long server = cpuAtEnd.serverAllocatedBytes() - cpuAtStart.serverAllocatedBytes();
        return Math.max(0, process - Math.max(0, server));
    }

    /** Client bytes allocated per measured request, or -1 when not measurable. */
    public double allocatedBytesPerRequest() {
        long bytes = clientAllocatedBytes();
        return bytes < 0 || requests == 0 ? -1 : (double) bytes / requests;
    }

    /** A pool counter's change over the window, or -1 for a client without Keepwell's pool stats. */
    private long delta(java.util.function.ToLongFunction<PoolStats> f) {
        if (statsAtEnd == null) {
            return -1;
        }
        return statsAtStart == null ? f.applyAsLong(statsAtEnd) : f.applyAsLong(statsAtEnd) - f.applyAsLong(statsAtStart);
    }

    /** Refusals during the window by reason; only reasons that occurred. */
    public Map<String, Long> refusals() {
        Map<String, Long> out = new LinkedHashMap<>();
        if (statsAtEnd == null) {
            return out;
        }
        for (RefuseReason r : RefuseReason.values()) {
            long n = delta(s -> s.refused(r));
            if (n > 0) {
                out.put(r.name(), n);
            }
        }
        return out;
    }

    /** Closes during the window by reason; only reasons that occurred. */
    public Map<String, Long> closes() {
        Map<String, Long> out = new LinkedHashMap<>();
        if (statsAtEnd == null) {
            return out;
        }
        for (CloseReason r : CloseReason.values()) {
            long n = delta(s -> s.closedBy(r));
            if (n > 0) {
                out.put(r.name(), n);
            }
        }
        return out;
    }

    private String describeTarget() {
        return options.method() + " " + target + (embeddedServer
                ? " (embedded server, " + options.responseSize() + "-byte body, " + options.serverThreads() + " thread(s))"
                : "");
    }

    private String describeProtocol() {
        Http2Options h2 = options.http2();
        String asked = h2 == null ? "HTTP/1.1"
                : String.format("%s, %d connection(s) x %d streams, windows %,d / %,d bytes (stream / connection), one priming request",
                        h2.tls() ? "h2 (TLS, ALPN)" : "h2c (prior knowledge)", h2.connections(), h2.streams(),
                        h2.streamWindow(), h2.connectionWindow());
        return asked + "; responses " + (responseVersion == null ? "(version not reported by the client)" : responseVersion);
    }

    public String toTable() {
        StringBuilder t = new StringBuilder(1024);
        t.append(String.format("Keepwell load (client %s): %s, %d in flight, %.1f s after %.1f s warmup%n",
                options.client().label(), describeTarget(), options.concurrency(), windowNanos / 1e9, options.warmup().toMillis() / 1000.0));
        String pool = statsAtEnd != null
                ? "maxIdlePerHost=" + options.maxIdle()
                        + ", maxConnectionsPerHost=" + (options.maxConnections() == 0 ? "unlimited" : options.maxConnections())
                : "the client's pool sized to " + options.concurrency();
        row(t, "transport", transport + ", " + options.ioThreads() + " I/O thread(s); " + pool
                + (options.bodySize() > 0 ? ", request body " + options.bodySize() + " bytes" : ""));
        row(t, "protocol", describeProtocol());
        row(t, "throughput", String.format("%,.0f req/s (%,d requests)", requestsPerSecond(), requests));
        row(t, "latency (us)", String.format("p50 %,d  p90 %,d  p99 %,d  p99.9 %,d  max %,d  mean %,.0f",
                percentile(50), percentile(90), percentile(99), percentile(99.9), latencyMicros.getMaxValue(),
                latencyMicros.getMean()));
        row(t, "errors", errors.isEmpty() ? "none" : errors.toString());
        if (statsAtEnd != null) {
            row(t, "connections", String.format("opened %,d, reused %,d, refused %s, closed %s, open at end %d",
                    delta(PoolStats::opened), delta(PoolStats::reused),
                    refusals().isEmpty() ? "none" : refusals().toString(),
                    closes().isEmpty() ? "none" : closes().toString(), openAtEnd));
        }
        if (sockets.atStart() >= 0) {
            row(t, "sockets", String.format("%d established to the target's port at the window's start, %d at its end, "
                    + "%d kept throughout, %d new in the window", sockets.atStart(), sockets.atEnd(), sockets.kept(),
                    sockets.newInWindow()));
        }
        long cpu = clientCpuNanos();
        if (cpu < 0) {
            row(t, "client CPU", "not measurable on this JVM");
        } else {
            row(t, "client CPU", String.format("%.2f us/request, %.2f cores (%s; includes GC and JIT threads)",
                    clientCpuMicrosPerRequest(), clientCores(),
                    embeddedServer ? "process CPU minus the embedded server's threads" : "process CPU"));
        }
        double allocated = allocatedBytesPerRequest();
        row(t, "allocation", allocated < 0 ? "not measurable on this JVM"
                : String.format("%,.0f bytes/request (%s; threads that died in the window are not counted)", allocated,
                        embeddedServer ? "live threads minus the embedded server's" : "live threads"));
        if (cpuAtStart != null) {
            row(t, "GC", String.format("%d collections, %d ms in the window",
                    cpuAtEnd.gcCount() - cpuAtStart.gcCount(), cpuAtEnd.gcMillis() - cpuAtStart.gcMillis()));
        }
        return t.toString();
    }

    public String toJson() {
        Json latency = Json.object()
                .put("p50", percentile(50)).put("p90", percentile(90)).put("p99", percentile(99))
                .put("p999", percentile(99.9)).put("max", latencyMicros.getMaxValue()).put("mean", latencyMicros.getMean());
        return Json.object()
                .put("command", "load")
                .put("client", options.client().label())
                .put("target", target.toString())
                .put("embeddedServer", embeddedServer)
                .put("method", options.method())
                .put("concurrency", options.concurrency())
                .put("durationSeconds", windowNanos / 1e9)
                .put("warmupSeconds", options.warmup().toMillis() / 1000.0)
                .put("requestBodySize", options.bodySize())
                .put("responseSize", embeddedServer ? options.responseSize() : -1)
                .put("transport", transport)
                .put("protocol", options.protocolLabel())
                .put("responseVersion", responseVersion)
                .put("connections", options.http2() == null ? -1 : options.http2().connections())
                .put("streams", options.http2() == null ? -1 : options.http2().streams())
                .put("ioThreads", options.ioThreads())
                .put("maxIdlePerHost", options.maxIdle())
                .put("maxConnectionsPerHost", options.maxConnections())
                .put("requests", requests)
                .put("requestsPerSecond", requestsPerSecond())
                .put("latencyMicros", latency)
                .put("errors", errors)
                .put("opened", delta(PoolStats::opened))
                .put("reused", delta(PoolStats::reused))
                .put("refused", refusals())
                .put("closedByReason", closes())
                .put("openAtEnd", openAtEnd)
                .put("socketsAtStart", sockets.atStart())
                .put("socketsAtEnd", sockets.atEnd())
                .put("socketsKept", sockets.kept())
                .put("socketsNewInWindow", sockets.newInWindow())
                .put("clientCpuNanos", clientCpuNanos())
                .put("serverCpuNanos", embeddedServer ? serverCpuNanos() : -1)
                .put("clientCpuMicrosPerRequest", clientCpuMicrosPerRequest())
                .put("clientCores", clientCores())
                .put("gcCount", cpuAtStart == null ? -1 : cpuAtEnd.gcCount() - cpuAtStart.gcCount())
                .put("gcMillis", cpuAtStart == null ? -1 : cpuAtEnd.gcMillis() - cpuAtStart.gcMillis())
                .put("allocatedBytesPerRequest", allocatedBytesPerRequest())
                .put("passed", passed())
                .toString();
    }

    private static void row(StringBuilder t, String name, String value) {
        t.append(String.format("%-14s %s%n", name, value));
    }
}
