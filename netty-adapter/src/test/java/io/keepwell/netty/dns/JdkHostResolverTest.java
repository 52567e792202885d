package io.keepwell.netty.dns;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.resolver.InetNameResolver;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The JDK path: blocking lookups on at most two keepwell-dns threads, never on the event loop. */
class JdkHostResolverTest {

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final EventLoop loop = group.next();
    private final BlockingLookup lookup = new BlockingLookup();
    private final JdkHostResolver resolver = new JdkHostResolver(lookup);

    @AfterEach
    void close() {
        lookup.release.release(100);
        resolver.close();
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void aLookupBlocksAKeepwellDnsThreadAndTheLoopStaysFree() throws Exception {
        Future<List<InetAddress>> result = loop.submit(() -> resolver.resolveAll("slow.test", loop)).get(5, TimeUnit.SECONDS);
        assertTrue(lookup.started.await(5, TimeUnit.SECONDS));

        assertEquals("ok", loop.submit(() -> "ok").get(1, TimeUnit.SECONDS), "the loop runs tasks while the lookup blocks");
        assertTrue(lookup.threads.stream().allMatch(name -> name.startsWith("keepwell-dns-")), lookup.threads.toString());

        lookup.release.release();
        assertEquals(List.of(InetAddress.getLoopbackAddress()), result.get(5, TimeUnit.SECONDS));
    }

    @Test
    void atMostTwoLookupsAtOnceTheRestWait() throws Exception {
        List<Future<List<InetAddress>>> results = List.of(resolver.resolveAll("a.test", loop),
                resolver.resolveAll("b.test", loop), resolver.resolveAll("c.test", loop));
        assertTrue(lookup.twoStarted.await(5, TimeUnit.SECONDS));

        assertEquals(2, lookup.running.get(), "two threads at most");
        lookup.release.release(3);
        for (Future<List<InetAddress>> result : results) {
            result.get(5, TimeUnit.SECONDS);
        }
        assertEquals(2, lookup.threads.size(), "the third ran on one of the two: " + lookup.threads);
    }

    @Test
    void aLookupCancelledWhileQueuedIsNotMadeAndCloseFailsTheQueued() throws Exception {
        resolver.resolveAll("a.test", loop);
        resolver.resolveAll("b.test", loop);
        Future<List<InetAddress>> cancelled = resolver.resolveAll("cancelled.test", loop);
        Future<List<InetAddress>> queued = resolver.resolveAll("queued.test", loop);
        assertTrue(lookup.twoStarted.await(5, TimeUnit.SECONDS));
        assertTrue(cancelled.cancel(false));

        resolver.close();

        ExecutionException failure = assertThrows(ExecutionException.class, () -> queued.get(5, TimeUnit.SECONDS));
        assertInstanceOf(UnknownHostException.class, failure.getCause());
        assertTrue(failure.getCause().getMessage().contains("queued.test"));
        assertTrue(lookup.names.stream().noneMatch(n -> n.equals("cancelled.test") || n.equals("queued.test")), lookup.names.toString());
        Throwable afterClose = resolver.resolveAll("late.test", loop).await().cause();
        assertInstanceOf(UnknownHostException.class, afterClose);
    }

    @Test
    void aFailedLookupIsAnUnknownHostExceptionNamingTheHost() throws Exception {
        lookup.fail = true;
        lookup.release.release();
        Throwable cause = resolver.resolveAll("bad.test", loop).await().cause();

        assertInstanceOf(UnknownHostException.class, cause);
        assertTrue(cause.getMessage().contains("bad.test"), cause.getMessage());
    }

    /** A lookup that blocks until released, recording its threads and names. */
    private static final class BlockingLookup extends InetNameResolver {
        final Semaphore release = new Semaphore(0);
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch twoStarted = new CountDownLatch(2);
        final AtomicInteger running = new AtomicInteger();
        final Set<String> threads = ConcurrentHashMap.newKeySet();
        final Set<String> names = ConcurrentHashMap.newKeySet();
        volatile boolean fail;

        BlockingLookup() {
            super(ImmediateEventExecutor.INSTANCE);
        }

        @Override
        protected void doResolve(String host, Promise<InetAddress> promise) {
            throw new UnsupportedOperationException();
        }

        @Override
        protected void doResolveAll(String host, Promise<List<InetAddress>> promise) throws Exception {
            names.add(host);
            threads.add(Thread.currentThread().getName());
            running.incrementAndGet();
            started.countDown();
            twoStarted.countDown();
            try {
                release.acquire();
            } finally {
                running.decrementAndGet();
            }
            if (fail) {
                throw new IllegalStateException("lookup failed");
            }
            promise.setSuccess(List.of(InetAddress.getLoopbackAddress()));
        }
    }
}
