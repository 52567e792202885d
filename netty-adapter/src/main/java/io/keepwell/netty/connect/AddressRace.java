package io.keepwell.netty.connect;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;

import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Happy Eyeballs v2 (RFC 8305) over one name's addresses: attempts start in order, the next one
 * {@link #ATTEMPT_DELAY_MILLIS} after the last, or at once when the last fails; the first to
 * connect wins, and every other attempt still in flight is closed and counted as abandoned. With
 * one address it is a plain connect. Runs on one event loop: every method is called there.
 */
final class AddressRace {

    /** RFC 8305 section 5's recommended Connection Attempt Delay. */
    static final long ATTEMPT_DELAY_MILLIS = 250;

    /** What the race tells the connect it runs for. */
    interface Outcome {
        /** Opens a channel to {@code address}; its pipeline is the attempt's. */
        ChannelFuture dial(SocketAddress address);

        /** An attempt began; returns its start, for the durations told later. */
        long attemptStarted(SocketAddress address);

        /** An attempt failed, or was abandoned because another won ({@code cause} says which). */
        void attemptFailed(SocketAddress address, long startNanos, Throwable cause, boolean abandoned);

        /** {@code channel}, connected to {@code address}, won. */
        void won(Channel channel, SocketAddress address, long startNanos);

        /** Every address failed; {@code failures} in the order they came. */
        void allFailed(List<Throwable> failures);
    }

    private record Attempt(SocketAddress address, Channel channel, long startNanos) {
    }

    private final EventLoop loop;
    private final Outcome outcome;
    private final Deque<SocketAddress> waiting;
    private final List<Attempt> inFlight = new ArrayList<>(2);
    private final List<Throwable> failures = new ArrayList<>(1);
    private ScheduledFuture<?> nextStart;
    private boolean over;

    AddressRace(EventLoop loop, List<? extends SocketAddress> addresses, Outcome outcome) {
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("no address to connect to");
        }
        this.loop = loop;
        this.outcome = outcome;
        this.waiting = new ArrayDeque<>(addresses);
    }

    void start() {
        launchNext();
    }

    /** Ends the race from outside (the connect timed out or was aborted): every attempt in flight is closed. */
    void abort() {
        if (over) {
            return;
        }
        over = true;
        cancelNextStart();
        for (Attempt attempt : inFlight) {
            attempt.channel().close();
        }
        inFlight.clear();
    }

    private void launchNext() {
        nextStart = null;
        if (over || waiting.isEmpty()) {
            return;
        }
        SocketAddress address = waiting.poll();
        long start = outcome.attemptStarted(address);
        ChannelFuture connect = outcome.dial(address);
        Attempt attempt = new Attempt(address, connect.channel(), start);
        inFlight.add(attempt);
        if (!waiting.isEmpty()) {
            nextStart = loop.schedule(this::launchNext, ATTEMPT_DELAY_MILLIS, TimeUnit.MILLISECONDS);
        }
        // May run at once (a connect that failed before registration), after the next start is planned.
        connect.addListener(f -> finished(attempt, f.isSuccess() ? null : f.cause()));
    }

    private void finished(Attempt attempt, Throwable cause) {
        if (over || !inFlight.remove(attempt)) {
            attempt.channel().close(); // connected after the race ended: nobody wants it
            return;
        }
        if (cause == null) {
            over = true;
            cancelNextStart();
            for (Attempt loser : inFlight) {
                loser.channel().close();
                outcome.attemptFailed(loser.address(), loser.startNanos(),
                        new ConnectException("abandoned: " + attempt.address() + " connected first"), true);
            }
            inFlight.clear();
            outcome.won(attempt.channel(), attempt.address(), attempt.startNanos());
            return;
        }
        if (attempt.channel().isRegistered()) {
            attempt.channel().close();
        } // else it failed to register, and Netty closed it already
        failures.add(cause);
        outcome.attemptFailed(attempt.address(), attempt.startNanos(), cause, false);
        if (!waiting.isEmpty()) {
            cancelNextStart();
            launchNext(); // a failure starts the next attempt at once
        } else if (inFlight.isEmpty()) {
            over = true;
            outcome.allFailed(failures);
        }
    }

    private void cancelNextStart() {
        if (nextStart != null) {
            nextStart.cancel(false);
            nextStart = null;
        }
    }

    /**
     * The order to try addresses in (RFC 8305 section 4): families alternate, starting with the
     * family of the first address the resolver returned; within a family the resolver's order stays.
     */
    static List<InetAddress> interleave(List<InetAddress> resolved) {
        if (resolved.isEmpty()) {
            return resolved;
        }
        boolean firstIsV6 = resolved.get(0) instanceof Inet6Address;
        Deque<InetAddress> first = new ArrayDeque<>();
        Deque<InetAddress> other = new ArrayDeque<>();
        for (InetAddress address : resolved) {
            ((address instanceof Inet6Address) == firstIsV6 ? first : other).add(address);
        }
        List<InetAddress> ordered = new ArrayList<>(resolved.size());
        while (!first.isEmpty() || !other.isEmpty()) {
            if (!first.isEmpty()) {
                ordered.add(first.poll());
            }
            if (!other.isEmpty()) {
                ordered.add(other.poll());
            }
        }
        return ordered;
    }
}
