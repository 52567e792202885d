package io.keepwell.netty.handler;

import io.keepwell.http.BodyTooLargeException;
import io.keepwell.http.DiscardingSubscriber;

import java.net.http.HttpResponse.BodySubscriber;

/**
 * Counts one response body against the client's limits (its size, and its decompressed size when
 * it arrives compressed) and, for a body the caller discards, against the discard budget: a little
 * is drained to keep the connection, more costs more than a new connection. Event loop only.
 */
final class BodyMeter {

    private final long maxBodySize;
    private final long maxDecompressedSize;
    private boolean compressed;        // the body is being decompressed: its size is held to the limit
    private long decompressedBytes;
    private long bodyBytes;            // as delivered (decompressed, if it was compressed)
    private boolean discarding;        // the caller drops the body: drain a little, else close
    private long discardBudget;
    private long discarded;

    BodyMeter(long maxBodySize, long maxDecompressedSize) {
        this.maxBodySize = maxBodySize;
        this.maxDecompressedSize = maxDecompressedSize;
    }

    /** A new exchange: not compressed until the decompressor says so. */
    void reset() {
        compressed = false;
        decompressedBytes = 0;
    }

    /** The decompressor found the response compressed. */
    void compressed() {
        compressed = true;
    }

    /** The body starts, for {@code subscriber}. */
    void start(BodySubscriber<?> subscriber) {
        discarding = subscriber instanceof DiscardingSubscriber<?>;
        discardBudget = discarding ? ((DiscardingSubscriber<?>) subscriber).budget() : 0;
        discarded = 0;
        bodyBytes = 0;
    }

    /** Whether the caller discards the body. */
    boolean discarding() {
        return discarding;
    }

    /** Whether a body of {@code announced} bytes is more than the discard budget drains. */
    boolean beyondDiscardBudget(long announced) {
        return announced > discardBudget;
    }

    /** Counts {@code n} more bytes; the limit they break, or {@code null}. */
    BodyTooLargeException add(int n) {
        if (compressed && (decompressedBytes += n) > maxDecompressedSize) {
            return new BodyTooLargeException(maxDecompressedSize, decompressedBytes);
        }
        if ((bodyBytes += n) > maxBodySize) {
            return new BodyTooLargeException(maxBodySize, bodyBytes);
        }
        if (discarding) {
            discarded += n;
        }
        return null;
    }

    /** Whether the bytes discarded so far exceed the budget. */
    boolean discardBudgetSpent() {
        return discarded > discardBudget;
    }

    /** Body bytes delivered so far. */
    long bodyBytes() {
        return bodyBytes;
    }
}
