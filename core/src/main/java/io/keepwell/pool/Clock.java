package io.keepwell.pool;

/** Monotonic time for the pool, so tests can step it instead of sleeping. */
@FunctionalInterface
public interface Clock {

    /**
     * Nanoseconds from an arbitrary origin; only differences mean anything.
     *
     * @return the current time in nanoseconds, never decreasing
     */
    long nanoTime();

    /**
     * The real clock.
     *
     * @return a clock reading {@link System#nanoTime()}
     */
    static Clock system() {
        return System::nanoTime;
    }
}
