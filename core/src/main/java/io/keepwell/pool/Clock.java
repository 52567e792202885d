package io.keepwell.pool;

/** Monotonic time for the pool, so tests can step it instead of sleeping. */
@FunctionalInterface
public interface Clock {

    /** Nanoseconds from an arbitrary origin; only differences mean anything. */
    long nanoTime();

    /** {@link System#nanoTime()}. */
    static Clock system() {
        return System::nanoTime;
    }
}
