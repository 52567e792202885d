package io.keepwell.it.support.h2;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What crossed one HTTP/2 connection, as the server's frame codec read and wrote it: the
 * witness tests read. Written on the connection's event loop, read from any thread.
 */
public final class H2WireLog {

    private final int connectionId;
    private final StreamConcurrency concurrency = new StreamConcurrency();
    private final StreamConcurrency serverConcurrency;
    private final List<Integer> streamIds = new ArrayList<>(); // guarded by this
    private final Set<Integer> finishedStreams = new HashSet<>(); // guarded by this
    private final Queue<Long> unackedMaxConcurrentStreams = new ArrayDeque<>(); // guarded by this
    private long ackedMaxConcurrentStreams = Long.MAX_VALUE; // guarded by this
    private final List<H2Reset> resetsReceived = new CopyOnWriteArrayList<>();
    private final List<H2Reset> resetsSent = new CopyOnWriteArrayList<>();
    private final List<Integer> goAwayLastStreamIds = new CopyOnWriteArrayList<>();
    private final AtomicInteger pingsReceived = new AtomicInteger();
    private final AtomicLong dataBytesWritten = new AtomicLong();
    private final AtomicInteger streamsOpenedAfterGoAway = new AtomicInteger();

    H2WireLog(int connectionId, StreamConcurrency serverConcurrency) {
        this.connectionId = connectionId;
        this.serverConcurrency = serverConcurrency;
    }

    /** Stream ids of the client's HEADERS that opened a stream, in the order they arrived (refused ones too). */
    public synchronized List<Integer> streamIds() {
        return List.copyOf(streamIds);
    }

    public synchronized int streamsOpened() {
        return streamIds.size();
    }

    /** Streams the server holds open now (Netty's stream state: neither closed nor refused). */
    public int openStreams() {
        return concurrency.open();
    }

    /** The most streams this connection ever held open at once. */
    public int peakOpenStreams() {
        return concurrency.peak();
    }

    /** Streams whose END_STREAM the server wrote. */
    public synchronized Set<Integer> finishedStreams() {
        return Set.copyOf(finishedStreams);
    }

    /** Flow-controlled bytes of the DATA frames the server wrote: what the client's windows let through. */
    public long dataBytesWritten() {
        return dataBytesWritten.get();
    }

    public List<H2Reset> resetsReceived() {
        return List.copyOf(resetsReceived);
    }

    /** RST_STREAM frames the server wrote: scripted ones and the codec's own (REFUSED_STREAM over the limit). */
    public List<H2Reset> resetsSent() {
        return List.copyOf(resetsSent);
    }

    public int pingsReceived() {
        return pingsReceived.get();
    }

    /** The last-stream-id of each GOAWAY the server wrote, in order. */
    public List<Integer> goAwayLastStreamIds() {
        return List.copyOf(goAwayLastStreamIds);
    }

    /** Streams the client opened after the server wrote its first GOAWAY. */
    public int streamsOpenedAfterGoAway() {
        return streamsOpenedAfterGoAway.get();
    }

    /** SETTINGS_MAX_CONCURRENT_STREAMS of the last SETTINGS the client acknowledged; Long.MAX_VALUE if none said. */
    public synchronized long ackedMaxConcurrentStreams() {
        return ackedMaxConcurrentStreams;
    }

    synchronized boolean headersRead(int streamId) {
        if (streamIds.contains(streamId)) {
            return false;
        }
        streamIds.add(streamId);
        if (!goAwayLastStreamIds.isEmpty()) {
            streamsOpenedAfterGoAway.incrementAndGet();
        }
        return true;
    }

    void streamActive() {
        concurrency.opened();
        serverConcurrency.opened();
    }

    void streamClosed() {
        concurrency.closed();
        serverConcurrency.closed();
    }

    void dataWritten(int streamId, int flowControlledBytes, boolean endStream) {
        dataBytesWritten.addAndGet(flowControlledBytes);
        if (endStream) {
            synchronized (this) {
                finishedStreams.add(streamId);
            }
        }
    }

    void resetRead(int streamId, long errorCode) {
        resetsReceived.add(new H2Reset(connectionId, streamId, errorCode));
    }

    void resetWritten(int streamId, long errorCode) {
        resetsSent.add(new H2Reset(connectionId, streamId, errorCode));
    }

    void pingRead() {
        pingsReceived.incrementAndGet();
    }

    void goAwayWritten(int lastStreamId) {
        goAwayLastStreamIds.add(lastStreamId);
    }

    /** {@code maxConcurrentStreams} null: the SETTINGS frame left it as it was. */
    synchronized void settingsWritten(Long maxConcurrentStreams) {
        unackedMaxConcurrentStreams.add(maxConcurrentStreams == null ? -1L : maxConcurrentStreams);
    }

    synchronized void settingsAckRead() {
        Long acked = unackedMaxConcurrentStreams.poll();
        if (acked != null && acked >= 0) {
            ackedMaxConcurrentStreams = acked;
        }
    }
}
