package io.keepwell.netty.handler;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Response body bytes the client holds because the caller's subscriber has not asked for them
 * yet: the current total across all channels and its peak. The measure of backpressure.
 */
public final class BodyBufferGauge {
    private final AtomicLong current = new AtomicLong();
    private final AtomicLong peak = new AtomicLong();

    void add(long bytes) {
        long now = current.addAndGet(bytes);
        if (bytes > 0) {
            peak.accumulateAndGet(now, Math::max);
        }
    }

    public long current() {
        return current.get();
    }

    public long peak() {
        return peak.get();
    }

    /** Starts a new peak measurement from the current level. */
    public void resetPeak() {
        peak.set(current.get());
    }
}
