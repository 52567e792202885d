package io.keepwell.it.support;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Polls a value until it satisfies a condition, for state that servers update asynchronously. */
public final class Poll {

    private static final long INTERVAL_MILLIS = 20;

    private Poll() {}

    /**
     * Reads {@code value} until {@code done} accepts it and returns that value.
     *
     * @throws AssertionError if {@code timeout} passes first; the message names the last value read
     */
    public static <T> T until(Callable<T> value, Predicate<? super T> done, Duration timeout, String what)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            T current = value.call();
            if (done.test(current)) {
                return current;
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what + "; last value: " + current);
            }
            TimeUnit.MILLISECONDS.sleep(INTERVAL_MILLIS);
        }
    }
}
