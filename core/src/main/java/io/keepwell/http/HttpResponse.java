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

        /** The whole body as bytes. */
        public static BodyHandler<byte[]> ofByteArray() {
            return info -> BodySubscribers.ofByteArray();
        }

        /** The whole body as a string, in the charset named by {@code Content-Type} (UTF-8 otherwise). */
        public static BodyHandler<String> ofString() {
            return info -> BodySubscribers.ofString(ContentTypes.charset(info.headers()));
        }

        public static BodyHandler<String> ofString(Charset charset) {
            return info -> BodySubscribers.ofString(charset);
        }

        /** Reads and drops the body; the response's body is {@code null}. */
        public static BodyHandler<Void> discarding() {
            return info -> BodySubscribers.discarding();
        }
    }

    /** Common body subscribers. */
    final class BodySubscribers {
        private BodySubscribers() {
        }

        public static BodySubscriber<byte[]> ofByteArray() {
            return new AggregatingSubscriber<>(bytes -> bytes);
        }

        public static BodySubscriber<String> ofString(Charset charset) {
            return new AggregatingSubscriber<>(bytes -> new String(bytes, charset));
        }

        public static BodySubscriber<Void> discarding() {
            return new DiscardingSubscriber();
        }
    }
}
