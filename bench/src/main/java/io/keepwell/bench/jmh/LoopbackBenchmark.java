package io.keepwell.bench.jmh;

import io.keepwell.bench.server.EmbeddedServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import io.keepwell.netty.KeepwellHttpClient;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The whole client, one request at a time, over loopback to the embedded server: what
 * {@code PipelineBenchmark} leaves out (sockets, {@code sendAsync}'s lease promise, thread hops)
 * is in here. The caller waits on the future, so this is round-trip latency, not throughput.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class LoopbackBenchmark {

    private EmbeddedServer server;
    private KeepwellHttpClient client;
    private HttpRequest request;
    private final HttpResponse.BodyHandler<Void> discarding = io.keepwell.http.KeepwellBodyHandlers.discarding(Long.MAX_VALUE); // drains any size, as wrk reads

    @Setup
    public void setUp() {
        server = EmbeddedServer.start();
        client = KeepwellHttpClient.newBuilder().eventLoopThreads(1).build();
        request = HttpRequest.newBuilder(server.uri("/")).GET().build();
    }

    @TearDown
    public void tearDown() {
        client.close();
        server.close();
    }

    @Benchmark
    public HttpResponse<Void> roundTrip() {
        return client.sendAsync(request, discarding).join();
    }
}
