package io.keepwell.http;

import java.io.IOException;

/**
 * A body that was to be held in memory whole is larger than the limit. The connection it was
 * arriving on is closed.
 */
public class BodyTooLargeException extends IOException {
    private static final long serialVersionUID = 1L;

    private final long limit;
    private final long size;

    /** {@code size} is the announced length, or the bytes received when the limit was crossed. */
    public BodyTooLargeException(long limit, long size) {
        super("response body of at least " + size + " bytes exceeds the limit of " + limit + " bytes");
        this.limit = limit;
        this.size = size;
    }

    public long limit() {
        return limit;
    }

    public long size() {
        return size;
    }
}
