package io.keepwell.pool.testing;

import io.keepwell.pool.Clock;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Clock} that moves only when a test moves it. Starts at an arbitrary non-zero origin by
 * default, so code that treats 0 as "unset" or assumes a particular origin shows up in tests.
 * Thread-safe.
 */
public final class ManualClock implements Clock {

    /** The default origin: an hour of nanoseconds, nothing special. */
    public static final long DEFAULT_ORIGIN_NANOS = Duration.ofHours(1).toNanos();

    private final AtomicLong now;

    public ManualClock() {
        this(DEFAULT_ORIGIN_NANOS);
    }

    /** A clock reading {@code originNanos}, which may be any value, negative included. */
    public ManualClock(long originNanos) {
        this.now = new AtomicLong(originNanos);
    }

    @Override
    public long nanoTime() {
        return now.get();
    }

    /** Moves time forward by {@code d}, which must not be negative. */
    public void advance(Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("time does not go back: " + d);
        }
        now.addAndGet(d.toNanos());
    }

    /** Moves time forward by {@code nanos}. */
    public void advanceNanos(long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("time does not go back: " + nanos);
        }
        now.addAndGet(nanos);
    }
}
