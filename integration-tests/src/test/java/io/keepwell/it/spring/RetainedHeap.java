package io.keepwell.it.spring;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicLong;

/** The most heap that stayed reachable, above a baseline taken at construction, at the points sampled. */
final class RetainedHeap {

    private final long baseline = usedAfterGc();
    private final AtomicLong peakGrowth = new AtomicLong();

    /** Collects, then records what is still reachable; call it while the body is in flight. */
    void sample() {
        peakGrowth.accumulateAndGet(usedAfterGc() - baseline, Math::max);
    }

    long peakGrowth() {
        return peakGrowth.get();
    }

    private static long usedAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
