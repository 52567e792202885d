package io.keepwell.it.support.h2;

import java.util.concurrent.atomic.AtomicInteger;

/** The server-wide behaviour a test may change while the server runs. Thread-safe. */
final class H2Knobs {

    private volatile H2Script script;
    private volatile boolean windowUpdates;
    private volatile long maxConcurrentStreams;
    private final AtomicInteger refusalsLeft = new AtomicInteger();

    H2Knobs(H2ServerConfig config) {
        this.script = config.script();
        this.windowUpdates = config.windowUpdates();
        this.maxConcurrentStreams = config.maxConcurrentStreams();
    }

    H2Script script() {
        return script;
    }

    void script(H2Script script) {
        this.script = script;
    }

    boolean windowUpdates() {
        return windowUpdates;
    }

    void windowUpdates(boolean send) {
        this.windowUpdates = send;
    }

    /** For connections accepted from now on. */
    long maxConcurrentStreams() {
        return maxConcurrentStreams;
    }

    void maxConcurrentStreams(long streams) {
        this.maxConcurrentStreams = streams;
    }

    void refuseNext(int streams) {
        refusalsLeft.set(streams);
    }

    /** True, once per stream, while refusals are left. */
    boolean tryRefuse() {
        return refusalsLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
    }
}
