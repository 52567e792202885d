package io.keepwell.netty.handler;

import io.keepwell.http.HttpTimeoutException;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The exchange deadline on the loop's frozen clock: one task per timeout period, never one per exchange. */
class ExchangeTimerTest {

    private static final Duration LIMIT = Duration.ofSeconds(10);

    private EmbeddedChannel channel;
    private final List<HttpTimeoutException.Phase> expired = new ArrayList<>();
    private ExchangeTimer timer;

    @BeforeEach
    void setUp() {
        channel = new EmbeddedChannel();
        channel.freezeTime();
        timer = new ExchangeTimer(channel, (phase, limit) -> expired.add(phase));
    }

    @AfterEach
    void tearDown() {
        channel.finishAndReleaseAll();
    }

    private void advance(Duration by) {
        channel.advanceTimeBy(by.toNanos(), TimeUnit.NANOSECONDS);
        channel.runScheduledPendingTasks();
    }

    @Test
    void manyExchangesWithinOnePeriodScheduleOneTask() {
        for (int i = 0; i < 1000; i++) {
            timer.set(HttpTimeoutException.Phase.RESPONSE_HEADERS, LIMIT);
            timer.set(HttpTimeoutException.Phase.READ, LIMIT);
            timer.clear();
            advance(Duration.ofMillis(1));
        }
        assertEquals(1, timer.schedules());
        assertFalse(timer.isArmed());
        assertTrue(expired.isEmpty());
    }

    @Test
    void aClearedDeadlineLapsesWithoutExpiring() {
        timer.set(HttpTimeoutException.Phase.READ, LIMIT);
        timer.clear();
        advance(LIMIT.plusSeconds(1));
        assertTrue(expired.isEmpty());
        assertFalse(timer.isScheduled(), "the task lapsed instead of re-arming");
    }

    @Test
    void expiresAtTheDeadlineNotBefore() {
        timer.set(HttpTimeoutException.Phase.RESPONSE_HEADERS, LIMIT);
        advance(LIMIT.minusMillis(1));
        assertTrue(expired.isEmpty());
        advance(Duration.ofMillis(1));
        assertEquals(List.of(HttpTimeoutException.Phase.RESPONSE_HEADERS), expired);
        assertFalse(timer.isArmed());
    }

    @Test
    void aDeadlineMovedLaterRearmsTheTaskForTheRest() {
        timer.set(HttpTimeoutException.Phase.READ, LIMIT);
        advance(Duration.ofSeconds(6));
        timer.set(HttpTimeoutException.Phase.READ, LIMIT); // progress: due at 16 s now
        advance(Duration.ofSeconds(5)); // 11 s: the first task fired early and re-armed
        assertTrue(expired.isEmpty());
        assertTrue(timer.isScheduled());
        advance(Duration.ofSeconds(5)); // 16 s
        assertEquals(List.of(HttpTimeoutException.Phase.READ), expired);
        assertEquals(2, timer.schedules());
    }

    @Test
    void aShorterDeadlineThanTheLapsingTaskIsScheduledAtOnce() {
        timer.set(HttpTimeoutException.Phase.READ, Duration.ofSeconds(30));
        timer.clear();
        timer.set(HttpTimeoutException.Phase.WRITE, Duration.ofSeconds(1));
        advance(Duration.ofSeconds(1));
        assertEquals(List.of(HttpTimeoutException.Phase.WRITE), expired);
    }

    @Test
    void aDeadlineSetAgainAfterTheTaskLapsedSchedulesANewOne() {
        timer.set(HttpTimeoutException.Phase.READ, LIMIT);
        timer.clear();
        advance(LIMIT);
        assertFalse(timer.isScheduled());
        timer.set(HttpTimeoutException.Phase.READ, LIMIT);
        assertTrue(timer.isScheduled());
        advance(LIMIT);
        assertEquals(List.of(HttpTimeoutException.Phase.READ), expired);
    }

    @Test
    void cancelRemovesTheTaskSoNoneOutlivesItsChannel() {
        timer.set(HttpTimeoutException.Phase.READ, LIMIT);
        timer.cancel();
        assertFalse(timer.isScheduled());
        assertFalse(timer.isArmed());
        advance(LIMIT.plusSeconds(1));
        assertTrue(expired.isEmpty());
    }
}
