package io.keepwell.netty.transport;

import io.netty.channel.SelectStrategy;
import io.netty.util.concurrent.DefaultEventExecutor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The spin-then-block select strategy, with a scripted non-blocking poll. */
class SpinThenBlockTest {

    private final DefaultEventExecutor loop = new DefaultEventExecutor();

    @AfterEach
    void stop() throws Exception {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    private SelectStrategy strategy(long spinNanos) {
        SelectStrategy[] made = new SelectStrategy[1];
        SpinThenBlock.handlers(spinNanos, factory -> executor -> {
            made[0] = factory.newSelectStrategy();
            return null;
        }).newHandler(loop);
        return made[0];
    }

    @Test
    void eventsThatArriveDuringTheSpinAreTakenWithoutBlocking() throws Exception {
        AtomicInteger polls = new AtomicInteger();
        int strategy = strategy(TimeUnit.SECONDS.toNanos(10)).calculateStrategy(() -> polls.incrementAndGet() == 5 ? 3 : 0, false);
        assertEquals(3, strategy);
        assertEquals(5, polls.get());
    }

    @Test
    void nothingWithinTheSpinBlocks() throws Exception {
        long spin = TimeUnit.MILLISECONDS.toNanos(20);
        long start = System.nanoTime();
        int strategy = strategy(spin).calculateStrategy(() -> 0, false);
        assertEquals(SelectStrategy.SELECT, strategy);
        assertTrue(System.nanoTime() - start >= spin, "blocked before the spin was over");
    }

    @Test
    void aLoopWithTasksPollsOnceAndNeverSpins() throws Exception {
        AtomicInteger polls = new AtomicInteger();
        assertEquals(0, strategy(TimeUnit.SECONDS.toNanos(10)).calculateStrategy(() -> {
            polls.incrementAndGet();
            return 0;
        }, true));
        assertEquals(1, polls.get());
    }

    @Test
    void aTaskSubmittedDuringTheSpinEndsIt() throws Exception {
        CountDownLatch hold = new CountDownLatch(1);
        loop.execute(() -> {
            try {
                hold.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        loop.execute(() -> { }); // waits behind the first: one task pending
        try {
            long start = System.nanoTime();
            int strategy = strategy(TimeUnit.SECONDS.toNanos(30)).calculateStrategy(() -> 0, false);
            assertNotEquals(SelectStrategy.SELECT, strategy, "blocked with a task pending");
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(30), "spun the whole spin");
        } finally {
            hold.countDown();
        }
    }

    @Test
    void aSpinMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> SpinThenBlock.handlers(0, factory -> null));
    }
}
