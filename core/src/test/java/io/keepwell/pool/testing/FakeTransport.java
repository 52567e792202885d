package io.keepwell.pool.testing;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A fake socket: open until someone closes it. {@link #close()} records the call and flips the
 * flag, and does nothing else; in particular it does not report the close to the pool. A test (or
 * a helper) calls {@code ConnectionPool.closed} itself, standing in for the asynchronous close
 * completing. Thread-safe.
 */
public final class FakeTransport {

    private static final AtomicLong IDS = new AtomicLong();

    private final long id = IDS.incrementAndGet();
    private final AtomicInteger closeCalls = new AtomicInteger();
    private volatile boolean open = true;

    public long id() {
        return id;
    }

    public boolean isOpen() {
        return open;
    }

    /** The client closes the socket. */
    public void close() {
        closeCalls.incrementAndGet();
        open = false;
    }

    /** The server (or the network) closed the socket; not a call of {@link #close()}. */
    public void closeByPeer() {
        open = false;
    }

    /** How many times {@link #close()} was called. */
    public int closeCalls() {
        return closeCalls.get();
    }

    @Override
    public String toString() {
        return "fake#" + id + (open ? "[open]" : "[closed]");
    }
}
