package io.keepwell.netty.dns;

import io.netty.channel.EventLoop;
import io.netty.resolver.DefaultNameResolver;
import io.netty.resolver.InetNameResolver;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The JDK's resolver, for a system whose {@code resolv.conf} names no name server: each lookup
 * blocks one of at most {@value #THREADS} daemon threads named {@code keepwell-dns-N}, never an
 * event loop (Netty's {@link DefaultNameResolver} looks up on the caller's thread). Threads end
 * when idle; a lookup whose future was cancelled before its turn is not made.
 */
final class JdkHostResolver implements HostResolver {

    static final String THREAD_PREFIX = "keepwell-dns-";
    static final int THREADS = 2;
    private static final long IDLE_SECONDS = 10;

    private final InetNameResolver lookup;
    private final ThreadPoolExecutor threads;

    JdkHostResolver() {
        this(new DefaultNameResolver(ImmediateEventExecutor.INSTANCE));
    }

    /** With {@code lookup}, a blocking resolver, in place of the JDK's; for tests. */
    JdkHostResolver(InetNameResolver lookup) {
        this.lookup = lookup;
        this.threads = new ThreadPoolExecutor(THREADS, THREADS, IDLE_SECONDS, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), new DaemonThreads());
        threads.allowCoreThreadTimeOut(true);
    }

    @Override
    public Future<List<InetAddress>> resolveAll(String host, EventLoop loop) {
        Promise<List<InetAddress>> promise = loop.newPromise();
        try {
            threads.execute(new Lookup(host, promise));
        } catch (RejectedExecutionException e) {
            promise.tryFailure(closed(host));
        }
        return promise;
    }

    /** Stops the threads; lookups still queued fail, those under way end with their lookup. */
    @Override
    public void close() {
        for (Runnable queued : threads.shutdownNow()) {
            ((Lookup) queued).promise.tryFailure(closed(((Lookup) queued).host));
        }
    }

    private static UnknownHostException closed(String host) {
        return new UnknownHostException(host + ": the resolver is closed");
    }

    private final class Lookup implements Runnable {
        final String host;
        final Promise<List<InetAddress>> promise;

        Lookup(String host, Promise<List<InetAddress>> promise) {
            this.host = host;
            this.promise = promise;
        }

        @Override
        public void run() {
            if (promise.isDone()) {
                return; // cancelled while queued
            }
            // A promise of its own: DefaultNameResolver throws when it completes one already cancelled.
            Promise<List<InetAddress>> result = ImmediateEventExecutor.INSTANCE.newPromise();
            lookup.resolveAll(host, result);
            Outcomes.relay(result, promise, host);
        }
    }

    private static final class DaemonThreads implements ThreadFactory {
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(Runnable task) {
            Thread thread = new Thread(task, THREAD_PREFIX + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }
    }
}
