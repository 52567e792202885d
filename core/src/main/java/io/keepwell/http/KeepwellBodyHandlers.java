package io.keepwell.http;

import java.net.http.HttpResponse.BodyHandler;
import java.nio.charset.Charset;
import java.util.Objects;

/**
 * Body handlers the JDK's {@code HttpResponse.BodyHandlers} lacks: bodies held in memory up to a
 * limit, and a discard that gives up on a large body instead of reading it all. They work with
 * any {@code java.net.http.HttpClient}.
 */
public final class KeepwellBodyHandlers {

    /** What {@link #discarding()} drains to keep a connection: below about this, draining costs less than a new connection. */
    public static final long DEFAULT_DISCARD_BUDGET = 16 * 1024;

    private KeepwellBodyHandlers() {
    }

    /**
     * The whole body as bytes, up to {@code maxBytes}: a larger body (announced or received) fails
     * with {@link BodyTooLargeException} and its connection is closed. Only the bytes that
     * arrived are held (in an array at most twice their size, grown as they arrive), whatever
     * length the server announced; each byte is copied once on its way into it.
     *
     * @param maxBytes the largest body accepted, in bytes; positive (a body can be held only up to
     *                 about 2 GiB whatever the limit, as one array)
     * @return a handler whose body is the whole body's bytes
     * @throws IllegalArgumentException if {@code maxBytes} is not positive
     */
    public static BodyHandler<byte[]> ofByteArray(long maxBytes) {
        requirePositive(maxBytes);
        return info -> new AggregatingSubscriber<>(bytes -> bytes, maxBytes, announcedLength(info));
    }

    /**
     * The whole body as a string in the charset named by {@code Content-Type} (UTF-8 otherwise),
     * up to {@code maxBytes} bytes, as {@link #ofByteArray(long)}.
     *
     * @param maxBytes the largest body accepted, in bytes before decoding; positive
     * @return a handler whose body is the decoded string
     * @throws IllegalArgumentException if {@code maxBytes} is not positive
     */
    public static BodyHandler<String> ofString(long maxBytes) {
        requirePositive(maxBytes);
        return info -> {
            Charset charset = ContentTypes.charset(info.headers());
            return new AggregatingSubscriber<>(bytes -> new String(bytes, charset), maxBytes, announcedLength(info));
        };
    }

    /**
     * The whole body as a string in {@code charset}, whatever {@code Content-Type} says, up to
     * {@code maxBytes} bytes, as {@link #ofByteArray(long)}.
     *
     * @param charset  the charset to decode with; not {@code null}
     * @param maxBytes the largest body accepted, in bytes before decoding; positive
     * @return a handler whose body is the decoded string
     * @throws NullPointerException     if {@code charset} is {@code null}
     * @throws IllegalArgumentException if {@code maxBytes} is not positive
     */
    public static BodyHandler<String> ofString(Charset charset, long maxBytes) {
        Objects.requireNonNull(charset, "charset");
        requirePositive(maxBytes);
        return info -> new AggregatingSubscriber<>(bytes -> new String(bytes, charset), maxBytes, announcedLength(info));
    }

    /**
     * Drops the body; drains at most {@link #DEFAULT_DISCARD_BUDGET} bytes to keep the connection,
     * as {@link #discarding(long)}.
     *
     * @return a handler whose body is {@code null}
     */
    public static BodyHandler<Void> discarding() {
        return discarding(DEFAULT_DISCARD_BUDGET);
    }

    /**
     * Drops the body; the response's body is {@code null}. On Keepwell a body of at most
     * {@code budget} bytes is drained and the connection kept; a larger one closes the connection
     * rather than be read (the JDK's {@code discarding()} reads any body to its end).
     *
     * @param budget the most bytes to drain to keep the connection; at least 0
     * @return a handler whose body is {@code null}
     * @throws IllegalArgumentException if {@code budget} is negative
     */
    public static BodyHandler<Void> discarding(long budget) {
        if (budget < 0) {
            throw new IllegalArgumentException("budget must not be negative: " + budget);
        }
        return info -> new DiscardingSubscriber<>(null, budget);
    }

    /**
     * Drops the body as {@link #discarding()} does (draining at most
     * {@link #DEFAULT_DISCARD_BUDGET} bytes) and gives {@code value} as the body.
     *
     * @param <U>   the body type
     * @param value the body every response gets; may be {@code null}
     * @return a handler whose body is {@code value}
     */
    public static <U> BodyHandler<U> replacing(U value) {
        return info -> new DiscardingSubscriber<>(value, DEFAULT_DISCARD_BUDGET);
    }

    /** The response's {@code Content-Length}, or -1 when it has none or a malformed one. */
    static long announcedLength(java.net.http.HttpResponse.ResponseInfo info) {
        if (info instanceof BodylessResponse bodyless && bodyless.hasNoBody()) {
            return 0;
        }
        String value = info.headers().firstValue("content-length").orElse(null);
        if (value == null) {
            return -1;
        }
        try {
            long n = Long.parseLong(value.trim());
            return n < 0 ? -1 : n;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static void requirePositive(long n) {
        if (n <= 0) {
            throw new IllegalArgumentException("limit must be positive: " + n);
        }
    }
}
