package io.keepwell.bench.jmh;

import io.keepwell.keepalive.ExchangeFacts;
import io.keepwell.keepalive.KeepAlivePolicy;
import io.keepwell.keepalive.KeepAliveVerdict;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The keep-alive decision: the common case (every check passes), an early exit, and the facts
 * record built from fields and decided, as the reader does at the end of every response.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class KeepAlivePolicyBenchmark {

    // Fields, not constants, so the JIT cannot fold the decision away.
    boolean requestWritten = true;
    boolean responseComplete = true;
    boolean askedClose;
    boolean http10;
    int serverRequestsLeft = -1;

    ExchangeFacts reusable;
    ExchangeFacts badFraming;

    @Setup
    public void setUp() {
        reusable = new ExchangeFacts(true, true, false, false, false, false, false, false, false, -1);
        badFraming = new ExchangeFacts(true, true, false, false, false, false, false, true, false, -1);
    }

    @Benchmark
    public KeepAliveVerdict decideReusable() {
        return KeepAlivePolicy.decide(reusable);
    }

    @Benchmark
    public KeepAliveVerdict decideBadFraming() {
        return KeepAlivePolicy.decide(badFraming);
    }

    @Benchmark
    public KeepAliveVerdict buildFactsAndDecide() {
        return KeepAlivePolicy.decide(new ExchangeFacts(requestWritten, responseComplete, askedClose, askedClose,
                http10, false, false, false, false, serverRequestsLeft));
    }
}
