package io.keepwell.netty.handler;

import io.keepwell.http.HttpTimeoutException;
import io.netty.channel.Channel;
import io.netty.util.concurrent.ScheduledFuture;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The response-header and read timeouts of one channel (or the write timeout of its writer): a
 * single deadline that moves as the exchange progresses, watched by at most one scheduled task.
 * Setting or clearing the deadline is a field write: the task, when it fires early, re-arms itself
 * for the rest, and when it finds no deadline it lapses (Netty's {@code IdleStateHandler} does the
 * same). So a busy channel costs one timer per timeout period, not a schedule and a cancel per
 * exchange; each of those moves Netty's timer queue and, on epoll, its timerfd. A lapsing task
 * holds nothing of an exchange; {@link #cancel()} removes it when the channel closes, so no task
 * outlives its channel. Event loop only.
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
    private int schedules;

    ExchangeTimer(Channel channel, Expiry expiry) {
        this.channel = channel;
        this.expiry = expiry;
    }

    /** The exchange must make progress within {@code limit} from now. */
    void set(HttpTimeoutException.Phase phase, Duration limit) {
        this.phase = phase;
        this.limit = limit;
        this.deadline = now() + limit.toNanos();
        this.armed = true;
        if (task == null || deadline - taskFiresAt < 0) {
            schedule(limit.toNanos());
        }
    }

    /** No deadline any more (the exchange ended, the subscriber paused reading): a field write, the task lapses. */
    void clear() {
        armed = false;
    }

    /** The channel closed: the task goes too. */
    void cancel() {
        armed = false;
        if (task != null) {
            task.cancel(false);
            task = null;
        }
    }

    /** Whether a deadline is set; for tests (a lapsing task may still be scheduled without one). */
    boolean isArmed() {
        return armed;
    }

    /** Whether a task is scheduled, armed or lapsing; for tests. */
    boolean isScheduled() {
        return task != null;
    }

    @Override
    public void run() {
        task = null;
        if (!armed) {
            return;
        }
        long left = deadline - now();
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
        taskFiresAt = now() + delayNanos;
        task = channel.eventLoop().schedule(this, delayNanos, TimeUnit.NANOSECONDS);
        schedules++;
    }

    /** The loop's own clock, which its scheduled tasks run by. */
    private long now() {
        return channel.eventLoop().ticker().nanoTime();
    }

    /** How many tasks this timer scheduled so far; for tests. */
    int schedules() {
        return schedules;
    }
}
