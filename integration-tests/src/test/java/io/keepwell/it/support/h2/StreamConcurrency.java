package io.keepwell.it.support.h2;

import java.util.concurrent.atomic.AtomicInteger;

/** Streams open now and the most ever open at once. Thread-safe. */
final class StreamConcurrency {

    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger peak = new AtomicInteger();

    void opened() {
        peak.accumulateAndGet(open.incrementAndGet(), Math::max);
    }

    void closed() {
        open.decrementAndGet();
    }

    int open() {
        return open.get();
    }

    int peak() {
        return peak.get();
    }
}
