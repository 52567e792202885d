package io.keepwell.netty.connect;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Example;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The address race against a reference model, on simulated time (an embedded event loop whose
 * clock moves a millisecond a step): for any list of addresses, each connecting, failing or hanging
 * after its own delay, the attempts start when RFC 8305 says (the next 250 ms after the last, or at
 * once when one fails), the first to connect wins, every other attempt in flight is abandoned and
 * closed, and a race where every address failed reports all of them.
 */
class AddressRaceModelTest {

    private static final int HORIZON_MILLIS = 4000;

    enum Kind { CONNECTS, FAILS, HANGS }

    record Script(Kind kind, int delayMillis) {
    }

    /** What the race did, or what the model says it must do. */
    record Run(List<Integer> startTimes, int winner, int endTime, List<Integer> abandoned, List<Integer> failed) {
    }

    @Provide
    Arbitrary<List<Script>> scripts() {
        Arbitrary<Script> one = Combinators.combine(Arbitraries.of(Kind.class), Arbitraries.integers().between(1, 700)).as(Script::new);
        return one.list().ofMinSize(1).ofMaxSize(6);
    }

    @Property(tries = 300)
    void theRaceDoesWhatTheModelSays(@ForAll("scripts") List<Script> scripts) {
        Run expected = model(scripts);
        Run actual = race(scripts);
        assertEquals(expected, actual, "scripts " + scripts);
    }

    @Example
    void aHangingFirstAddressIsJoinedAfter250msAndAbandonedWhenTheSecondWins() {
        List<Script> scripts = List.of(new Script(Kind.HANGS, 1), new Script(Kind.CONNECTS, 10));
        assertEquals(new Run(List.of(0, 250), 1, 260, List.of(0), List.of()), race(scripts));
    }

    @Example
    void aFailureStartsTheNextAttemptAtOnce() {
        List<Script> scripts = List.of(new Script(Kind.FAILS, 5), new Script(Kind.CONNECTS, 10));
        assertEquals(new Run(List.of(0, 5), 1, 15, List.of(), List.of(0)), race(scripts));
    }

    @Example
    void familiesAlternateFromTheFirstOneTheResolverReturned() throws Exception {
        InetAddress a4 = InetAddress.getByName("127.0.0.1");
        InetAddress b4 = InetAddress.getByName("127.0.0.2");
        InetAddress c4 = InetAddress.getByName("127.0.0.3");
        InetAddress a6 = InetAddress.getByName("::1");
        InetAddress b6 = InetAddress.getByName("::2");
        assertEquals(List.of(a6, a4, b6, b4, c4), AddressRace.interleave(List.of(a6, a4, b4, b6, c4)));
        assertEquals(List.of(a4, a6, b4, b6, c4), AddressRace.interleave(List.of(a4, b4, c4, a6, b6)));
        assertEquals(List.of(a4, b4), AddressRace.interleave(List.of(a4, b4)), "one family keeps its order");
    }

    /** The reference: the rules written as a loop over time, independent of the race's code. */
    static Run model(List<Script> scripts) {
        List<Integer> starts = new ArrayList<>();
        List<Integer> failed = new ArrayList<>();
        List<Integer> inFlight = new ArrayList<>();
        int next = 0;
        int timer = -1;
        for (int t = 0; t <= HORIZON_MILLIS; t++) {
            if (t == 0) {
                starts.add(0);
                inFlight.add(next++);
                timer = next < scripts.size() ? 250 : -1;
            }
            for (int i : List.copyOf(inFlight)) {
                Script s = scripts.get(i);
                if (s.kind() == Kind.HANGS || starts.get(i) + s.delayMillis() != t) {
                    continue;
                }
                inFlight.remove(Integer.valueOf(i));
                if (s.kind() == Kind.CONNECTS) {
                    return new Run(starts, i, t, List.copyOf(inFlight), failed);
                }
                failed.add(i);
                if (next < scripts.size()) {
                    starts.add(t);
                    inFlight.add(next++);
                    timer = next < scripts.size() ? t + 250 : -1;
                } else if (inFlight.isEmpty()) {
                    return new Run(starts, -1, t, List.of(), failed);
                }
            }
            if (timer == t) {
                starts.add(t);
                inFlight.add(next++);
                timer = next < scripts.size() ? t + 250 : -1;
            }
        }
        return new Run(starts, -1, -1, List.of(), failed);
    }

    /** The race itself, on an embedded loop, with each attempt's promise completed at its scripted time. */
    static Run race(List<Script> scripts) {
        EmbeddedChannel clock = new EmbeddedChannel();
        clock.freezeTime();
        List<SocketAddress> addresses = new ArrayList<>();
        for (int i = 0; i < scripts.size(); i++) {
            addresses.add(new InetSocketAddress(InetAddress.getLoopbackAddress(), 1000 + i));
        }
        int[] now = {0};
        Map<Integer, ChannelPromise> pending = new HashMap<>();
        Map<Integer, Integer> startedAt = new HashMap<>();
        List<Channel> channels = new ArrayList<>();
        List<Integer> starts = new ArrayList<>();
        List<Integer> abandoned = new ArrayList<>();
        List<Integer> failed = new ArrayList<>();
        int[] end = {-1, -1}; // winner, time
        AddressRace race = new AddressRace(clock.eventLoop(), addresses, new AddressRace.Outcome() {
            @Override
            public ChannelFuture dial(SocketAddress address) {
                int i = addresses.indexOf(address);
                EmbeddedChannel attempt = new EmbeddedChannel();
                channels.add(attempt);
                ChannelPromise promise = attempt.newPromise();
                pending.put(i, promise);
                startedAt.put(i, now[0]);
                return promise;
            }

            @Override
            public long attemptStarted(SocketAddress address) {
                starts.add(now[0]);
                return now[0];
            }

            @Override
            public void attemptFailed(SocketAddress address, long startNanos, Throwable cause, boolean wasAbandoned) {
                (wasAbandoned ? abandoned : failed).add(addresses.indexOf(address));
            }

            @Override
            public void won(Channel channel, SocketAddress address, long startNanos) {
                end[0] = addresses.indexOf(address);
                end[1] = now[0];
            }

            @Override
            public void allFailed(List<Throwable> failures) {
                assertEquals(failed.size(), failures.size(), "every failure is reported");
                end[1] = now[0];
            }
        });
        race.start();
        for (now[0] = 1; now[0] <= HORIZON_MILLIS && end[1] < 0; now[0]++) {
            clock.advanceTimeBy(1, TimeUnit.MILLISECONDS);
            for (int i = 0; i < scripts.size() && end[1] < 0; i++) {
                ChannelPromise promise = pending.get(i);
                Script s = scripts.get(i);
                if (promise != null && s.kind() != Kind.HANGS && startedAt.get(i) + s.delayMillis() == now[0]) {
                    pending.remove(i);
                    if (s.kind() == Kind.CONNECTS) {
                        promise.setSuccess();
                    } else {
                        promise.setFailure(new java.net.ConnectException("refused " + i));
                    }
                }
            }
            clock.runScheduledPendingTasks();
        }
        abandoned.sort(null);
        Run run = new Run(starts, end[0], end[0] >= 0 || end[1] >= 0 ? end[1] : -1, abandoned, failed);
        for (int i = 0; i < channels.size(); i++) {
            boolean winner = addresses.indexOf(addresses.get(i)) == end[0];
            if (winner) {
                assertTrue(channels.get(i).isOpen(), "the winner is handed over open");
            } else if (end[1] >= 0) {
                assertFalse(channels.get(i).isOpen(), "attempt " + i + " is closed once the race is over");
            }
        }
        race.abort();
        for (Channel ch : channels) {
            ch.close();
        }
        clock.close();
        return run;
    }
}
