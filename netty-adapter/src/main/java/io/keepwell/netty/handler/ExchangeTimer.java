package io.keepwell.netty.handler;

import io.keepwell.http.HttpTimeoutException;
import io.netty.channel.Channel;
import io.netty.util.concurrent.ScheduledFuture;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The response-header and read timeouts of one channel: a single deadline that the reader moves
 * as the exchange progresses, watched by at most one scheduled task. Moving the deadline later is
 * a field write; the task, when it fires early, re-arms itself for the rest (Netty's
 * {@code IdleStateHandler} does the same), so a body of many chunks costs one timer, not one per
 * read. Clearing the deadline (the exchange ended, or reading paused) cancels the task, so no
 * timer outlives its exchange. Event loop only.
 */
final class ExchangeTimer implements Runnable {

    /** Told when the deadline passes. */
    interface Expiry {
        void timedOut(HttpTimeoutException.Phase phase, Duration limit);
    }

    private final Channel channel;
    private final Expiry expiry;
    private long deadline;            // nanoTime, valid when armed
    private boolean armed;
    private HttpTimeoutException.Phase phase;
    private Duration limit;
    private ScheduledFuture<?> task;
    private long taskFiresAt;

    ExchangeTimer(Channel channel, Expiry expiry) {
        this.channel = channel;
        this.expiry = expiry;
    }

    /** The exchange must make progress within {@code limit} from now. */
    void set(HttpTimeoutException.Phase phase, Duration limit) {
        this.phase = phase;
        this.limit = limit;
        this.deadline = System.nanoTime() + limit.toNanos();
        this.armed = true;
        if (task == null || deadline - taskFiresAt < 0) {
            schedule(limit.toNanos());
        }
    }

    /** No deadline any more (the exchange ended, the subscriber paused reading, the channel closed). */
    void clear() {
        armed = false;
        if (task != null) {
            task.cancel(false);
            task = null;
        }
    }

    /** Whether a task is scheduled; for tests. */
    boolean isScheduled() {
        return task != null;
    }

    @Override
    public void run() {
        task = null;
        if (!armed) {
            return;
        }
        long left = deadline - System.nanoTime();
        if (left > 0) {
            schedule(left);
        } else {
            armed = false;
            expiry.timedOut(phase, limit);
        }
    }

    private void schedule(long delayNanos) {
        if (task != null) {
            task.cancel(false);
        }
        taskFiresAt = System.nanoTime() + delayNanos;
        task = channel.eventLoop().schedule(this, delayNanos, TimeUnit.NANOSECONDS);
    }
}
