package io.keepwell.http;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A response: status, headers and a body of type {@code T}, shaped like
 * {@code java.net.http.HttpResponse}.
 */
public interface HttpResponse<T> {

    int statusCode();

    HttpHeaders headers();

    T body();

    /** The request that produced this response. */
    HttpRequest request();

    default URI uri() {
        return request().uri();
    }

    /** {@code "HTTP/1.1"} or {@code "HTTP/1.0"}. */
    String version();

    /** What a body handler sees before the body: status, headers and version. */
    interface ResponseInfo {
        int statusCode();

        HttpHeaders headers();

        String version();

        /**
         * The client's limit on a body held in memory whole ({@link BodyHandlers#ofByteArray()},
         * {@link BodyHandlers#ofString()}); unlimited unless the client sets one.
         */
        default long aggregationLimit() {
            return Long.MAX_VALUE;
        }

        /** The response's {@code Content-Length}, or -1 when it has none (or a malformed one). */
        default long contentLength() {
            String value = headers().firstValue("content-length").orElse(null);
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
    }

    /**
     * Chooses a subscriber for a response body once the status and headers are known. Called on
     * an I/O thread: it must not block.
     */
    @FunctionalInterface
    interface BodyHandler<T> {
        BodySubscriber<T> apply(ResponseInfo responseInfo);
    }

    /**
     * Receives the body as lists of byte buffers, which belong to the subscriber, and produces the
     * body value. The client honours the subscriber's demand.
     */
    interface BodySubscriber<T> extends Flow.Subscriber<List<ByteBuffer>> {
        /** Completes with the body value, or exceptionally if the body failed. */
        CompletionStage<T> getBody();
    }

    /** Common body handlers. */
    final class BodyHandlers {
        private BodyHandlers() {
        }

        /**
         * The whole body as bytes, up to the client's aggregation limit; a larger body fails with
         * {@link BodyTooLargeException} and its connection is closed.
         */
        public static BodyHandler<byte[]> ofByteArray() {
            return info -> new AggregatingSubscriber<>(bytes -> bytes, info.aggregationLimit(), info.contentLength());
        }

        /** The whole body as bytes, up to {@code maxBytes}. */
        public static BodyHandler<byte[]> ofByteArray(long maxBytes) {
            requirePositive(maxBytes);
            return info -> new AggregatingSubscriber<>(bytes -> bytes, Math.min(maxBytes, info.aggregationLimit()), info.contentLength());
        }

        /** The whole body as a string, in the charset named by {@code Content-Type} (UTF-8 otherwise), up to the client's aggregation limit. */
        public static BodyHandler<String> ofString() {
            return info -> {
                Charset charset = ContentTypes.charset(info.headers());
                return new AggregatingSubscriber<>(bytes -> new String(bytes, charset), info.aggregationLimit(), info.contentLength());
            };
        }

        public static BodyHandler<String> ofString(Charset charset) {
            return info -> new AggregatingSubscriber<>(bytes -> new String(bytes, charset), info.aggregationLimit(), info.contentLength());
        }

        /**
         * Drops the body; the response's body is {@code null}. The client drains a small body to
         * keep the connection and closes the connection instead of reading a large one.
         */
        public static BodyHandler<Void> discarding() {
            return info -> BodySubscribers.discarding();
        }

        /** Drops the body as {@link #discarding()} does and gives {@code value} as the body. */
        public static <U> BodyHandler<U> replacing(U value) {
            return info -> BodySubscribers.replacing(value);
        }

        /**
         * The body as a publisher, available as soon as the headers are; nothing is read until it
         * is subscribed to and asked for data. Subscribe once, and consume or cancel it: a body
         * left alone is closed by the client after its abandoned-body timeout.
         */
        public static BodyHandler<Flow.Publisher<List<ByteBuffer>>> ofPublisher() {
            return info -> BodySubscribers.ofPublisher();
        }

        /** The body as a blocking input stream, available once the headers are; close it to give up early. */
        public static BodyHandler<java.io.InputStream> ofInputStream() {
            return info -> BodySubscribers.ofInputStream();
        }

        /** Writes the body to {@code path} (created or truncated); the body value is the path. */
        public static BodyHandler<java.nio.file.Path> ofFile(java.nio.file.Path path) {
            java.util.Objects.requireNonNull(path, "path");
            return info -> BodySubscribers.ofFile(path);
        }

        private static void requirePositive(long n) {
            if (n <= 0) {
                throw new IllegalArgumentException("limit must be positive: " + n);
            }
        }
    }

    /** Common body subscribers. */
    final class BodySubscribers {
        private BodySubscribers() {
        }

        public static BodySubscriber<byte[]> ofByteArray() {
            return new AggregatingSubscriber<>(bytes -> bytes, Long.MAX_VALUE, -1);
        }

        public static BodySubscriber<String> ofString(Charset charset) {
            return new AggregatingSubscriber<>(bytes -> new String(bytes, charset), Long.MAX_VALUE, -1);
        }

        public static BodySubscriber<Void> discarding() {
            return new DiscardingSubscriber<>(null);
        }

        /** Drops the body (as {@link #discarding()}) and gives {@code value} as the body. */
        public static <U> BodySubscriber<U> replacing(U value) {
            return new DiscardingSubscriber<>(value);
        }

        public static BodySubscriber<Flow.Publisher<List<ByteBuffer>>> ofPublisher() {
            return new PublisherSubscriber();
        }

        public static BodySubscriber<java.io.InputStream> ofInputStream() {
            return new InputStreamSubscriber();
        }

        public static BodySubscriber<java.nio.file.Path> ofFile(java.nio.file.Path path) {
            return new FileSubscriber(path);
        }

        /** Whether {@code subscriber} only drops the body, so a transport may skip reading it. */
        public static boolean isDiscarding(BodySubscriber<?> subscriber) {
            return subscriber instanceof DiscardingSubscriber;
        }
    }
}
