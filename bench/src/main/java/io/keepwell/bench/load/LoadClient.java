package io.keepwell.bench.load;

import io.keepwell.pool.PoolStats;

/**
 * One HTTP client driven by the closed loop. Each lane of the loop gets one {@link Sender}; its
 * {@link Sender#send} starts one request, reads and discards the whole response body and then
 * calls the lane's callback exactly once, on whatever thread the client completes on. A lane has
 * one request in flight at a time, so a sender may reuse its per-request objects (listeners,
 * callbacks) where the client allows. Implementations build what they can once (the request where
 * the client allows reuse) and use the client's own asynchronous API the way its documentation shows.
 */
public interface LoadClient extends AutoCloseable {

    /** What a completed exchange reports: its status, or the failure (then status is 0). */
    interface Callback {
        void completed(int status, Throwable error);
    }

    /** The name the load command and its JSON use ({@code keepwell}, {@code jdk}, ...). */
    String name();

    /** The transport the client actually uses, as far as it tells (e.g. EPOLL, NIO). */
    String transport();

    /** Starts requests for one lane. */
    interface Sender {
        /** Starts one request; the lane's callback is called once when the whole body has been read or the exchange failed. */
        void send();
    }

    /** A sender for one lane, reporting to {@code callback}. */
    Sender sender(Callback callback);

    /** Keepwell's pool counters, or {@code null} for a client that has none. */
    default PoolStats poolStats() {
        return null;
    }

    /**
     * The HTTP version of the responses as the client reports them ({@link VersionWitness}'s
     * {@code HTTP_1_1}, {@code HTTP_2} or {@code MIXED}), or {@code null} when it does not say.
     */
    default String responseVersion() {
        return null;
    }

    /** Open connections as the client counts them, or -1 when it does not say. */
    default int openChannels() {
        return -1;
    }

    /** Closes the client and waits (bounded) for its threads and connections to go. */
    @Override
    void close() throws Exception;
}
