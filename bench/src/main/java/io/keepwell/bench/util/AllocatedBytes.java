package io.keepwell.bench.util;

import java.lang.management.ManagementFactory;
import java.util.Collection;

/**
 * Bytes allocated so far by the JVM's live threads, from HotSpot's per-thread counters. JDK 17 has
 * no process-wide total, so the sum covers only the threads alive at the moment it is taken: a
 * thread that allocates and dies between two samples is missing from both, and what it allocated
 * is lost (the load's threads all live through the window; short-lived pool or JIT helper threads
 * may not).
 */
public final class AllocatedBytes {

    private static final com.sun.management.ThreadMXBean THREADS =
            ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean sun
                    && sun.isThreadAllocatedMemorySupported() ? sun : null;

    private AllocatedBytes() {
    }

    /** Whether this JVM counts allocated bytes per thread (and has the counting switched on). */
    public static boolean measurable() {
        return THREADS != null && THREADS.isThreadAllocatedMemoryEnabled();
    }

    /** The sum over every live thread, or -1 when the JVM cannot measure it. */
    public static long ofLiveThreads() {
        if (!measurable()) {
            return -1;
        }
        return sum(THREADS.getThreadAllocatedBytes(THREADS.getAllThreadIds()));
    }

    /** The sum over {@code threads} that are still alive, or -1 when the JVM cannot measure it. */
    public static long of(Collection<Thread> threads) {
        if (!measurable()) {
            return -1;
        }
        long[] ids = threads.stream().mapToLong(Thread::getId).toArray();
        return sum(THREADS.getThreadAllocatedBytes(ids));
    }

    private static long sum(long[] perThread) {
        long sum = 0;
        for (long bytes : perThread) {
            if (bytes > 0) { // -1 for a thread that died since its id was taken
                sum += bytes;
            }
        }
        return sum;
    }
}
