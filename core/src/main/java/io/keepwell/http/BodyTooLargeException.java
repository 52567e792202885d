package io.keepwell.http;

import java.io.IOException;

/**
 * A body that was to be held in memory whole is larger than the limit. The connection it was
 * arriving on is closed.
 */
public class BodyTooLargeException extends IOException {
    private static final long serialVersionUID = 1L;

    /** The limit crossed, in bytes. */
    private final long limit;
    /** The announced length, or the bytes received when the limit was crossed. */
    private final long size;

    /**
     * A body of at least {@code size} bytes against a limit of {@code limit}.
     *
     * @param limit the limit crossed, in bytes
     * @param size  the announced length, or the bytes received when the limit was crossed; above
     *              {@code limit}
     */
    public BodyTooLargeException(long limit, long size) {
        super("response body of at least " + size + " bytes exceeds the limit of " + limit + " bytes");
        this.limit = limit;
        this.size = size;
    }

    /**
     * The limit crossed.
     *
     * @return the limit in bytes
     */
    public long limit() {
        return limit;
    }

    /**
     * How large the body is known to be: a lower bound, since reading stopped at the limit.
     *
     * @return the announced length, or the bytes received when the limit was crossed
     */
    public long size() {
        return size;
    }
}
