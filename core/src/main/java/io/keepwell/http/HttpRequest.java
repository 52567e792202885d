package io.keepwell.http;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Flow;

/**
 * An immutable HTTP request, shaped like {@code java.net.http.HttpRequest}.
 *
 * <p>Everything a caller supplies is checked when it is set: a method or header that could split
 * the request (CR, LF, control characters) is refused with {@link IllegalArgumentException} before
 * any byte is written. Headers the client manages itself ({@code Host}, {@code Content-Length},
 * {@code Transfer-Encoding}, {@code Connection} other than {@code close}, ...) are refused as the
 * JDK client refuses them.
 */
public final class HttpRequest {

    /** Header names the client sets itself; a caller may not. */
    private static final Set<String> RESTRICTED_HEADERS = Set.of(
            "host", "content-length", "transfer-encoding", "expect", "upgrade", "te", "trailer",
            "keep-alive", "proxy-connection");

    private final String method;
    private final URI uri;
    private final HttpHeaders headers;
    private final BodyPublisher bodyPublisher;
    private final Duration timeout;
    private final boolean expectContinue;

    private HttpRequest(Builder b) {
        this.method = b.method;
        this.uri = b.uri;
        this.headers = b.headers.build();
        this.bodyPublisher = b.bodyPublisher;
        this.timeout = b.timeout;
        this.expectContinue = b.expectContinue;
    }

    /** A builder for a request to {@code uri}, which must be absolute, http or https, with a host. */
    public static Builder newBuilder(URI uri) {
        return new Builder().uri(uri);
    }

    /** A builder with no URI yet. */
    public static Builder newBuilder() {
        return new Builder();
    }

    public String method() {
        return method;
    }

    public URI uri() {
        return uri;
    }

    public HttpHeaders headers() {
        return headers;
    }

    /** The body, or {@link BodyPublishers#noBody()}. */
    public BodyPublisher bodyPublisher() {
        return bodyPublisher;
    }

    /**
     * The limit on the whole exchange, from acquiring a connection to the last body byte. A body
     * streamed to the caller ({@code BodyHandlers.ofPublisher()}, {@code ofInputStream()}) is
     * covered after its future completed with the headers, until the body ends or the caller
     * cancels it: past the limit its subscriber hears {@link HttpTimeoutException} ({@code REQUEST}).
     */
    public Optional<Duration> timeout() {
        return Optional.ofNullable(timeout);
    }

    public boolean expectContinue() {
        return expectContinue;
    }

    @Override
    public String toString() {
        return method + " " + uri;
    }

    /**
     * A builder that starts as a copy of this request, for deriving one (a redirect's next hop).
     * Headers are copied as they are; the caller removes what must not follow.
     */
    public Builder copy() {
        Builder b = new Builder();
        b.uri = uri;
        b.method = method;
        b.bodyPublisher = bodyPublisher;
        b.timeout = timeout;
        b.expectContinue = expectContinue;
        headers.forEach(b.headers::add);
        return b;
    }

    /** Validates the scheme and host of a request URI. */
    static URI checkUri(URI uri) {
        Objects.requireNonNull(uri, "uri");
        String scheme = uri.getScheme();
        if (scheme == null) {
            throw new IllegalArgumentException("URI has no scheme: " + uri);
        }
        String lower = scheme.toLowerCase(Locale.ROOT);
        if (!lower.equals("http") && !lower.equals("https")) {
            throw new IllegalArgumentException("unsupported URI scheme '" + scheme + "' (http or https only): " + uri);
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new IllegalArgumentException("URI has no host: " + uri);
        }
        if (uri.getRawFragment() != null) {
            throw new IllegalArgumentException("URI has a fragment: " + uri);
        }
        return uri;
    }

    /** Builds {@link HttpRequest}s; every setter validates its argument. Not thread-safe. */
    public static final class Builder {
        private String method = "GET";
        private URI uri;
        private final HttpHeaders.Builder headers = new HttpHeaders.Builder();
        private BodyPublisher bodyPublisher = BodyPublishers.noBody();
        private Duration timeout;
        private boolean expectContinue;

        private Builder() {
        }

        public Builder uri(URI uri) {
            this.uri = checkUri(uri);
            return this;
        }

        /** Adds a header value. */
        public Builder header(String name, String value) {
            checkSettable(name, value);
            headers.add(name, value);
            return this;
        }

        /** Replaces every value of a header. */
        public Builder setHeader(String name, String value) {
            checkSettable(name, value);
            headers.set(name, value);
            return this;
        }

        /** Removes every value of a header. */
        public Builder removeHeader(String name) {
            headers.remove(name);
            return this;
        }

        /** Adds headers given as name, value pairs. */
        public Builder headers(String... nameValuePairs) {
            if (nameValuePairs.length % 2 != 0) {
                throw new IllegalArgumentException("headers needs name, value pairs");
            }
            for (int i = 0; i < nameValuePairs.length; i += 2) {
                header(nameValuePairs[i], nameValuePairs[i + 1]);
            }
            return this;
        }

        /** Limits the whole exchange; must be positive. */
        public Builder timeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isZero() || timeout.isNegative()) {
                throw new IllegalArgumentException("timeout must be positive: " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /** Sends {@code Expect: 100-continue} and waits for the server's go-ahead before the body. */
        public Builder expectContinue(boolean enable) {
            this.expectContinue = enable;
            return this;
        }

        public Builder GET() {
            return method("GET", BodyPublishers.noBody());
        }

        public Builder HEAD() {
            return method("HEAD", BodyPublishers.noBody());
        }

        public Builder DELETE() {
            return method("DELETE", BodyPublishers.noBody());
        }

        public Builder POST(BodyPublisher body) {
            return method("POST", body);
        }

        public Builder PUT(BodyPublisher body) {
            return method("PUT", body);
        }

        /** Any method token, with a body ({@link BodyPublishers#noBody()} for none). */
        public Builder method(String method, BodyPublisher body) {
            HttpSyntax.requireToken(method, "method");
            if (method.equalsIgnoreCase("CONNECT")) {
                throw new IllegalArgumentException("CONNECT is not supported");
            }
            this.method = method;
            this.bodyPublisher = Objects.requireNonNull(body, "body");
            return this;
        }

        public HttpRequest build() {
            if (uri == null) {
                throw new IllegalStateException("no URI set");
            }
            return new HttpRequest(this);
        }

        private static void checkSettable(String name, String value) {
            HttpSyntax.requireToken(name, "header name");
            HttpSyntax.requireFieldValue(value, name);
            String lower = name.toLowerCase(Locale.ROOT);
            if (RESTRICTED_HEADERS.contains(lower)) {
                throw new IllegalArgumentException("restricted header name: " + name + " (the client sets it)");
            }
            if (lower.equals("connection") && !value.trim().equalsIgnoreCase("close")) {
                throw new IllegalArgumentException("only 'Connection: close' may be set, not: " + value);
            }
        }
    }

    /**
     * A request body: a publisher of byte buffers with a known length, or -1 when the length is
     * unknown (the body is then sent chunked).
     */
    public interface BodyPublisher extends Flow.Publisher<ByteBuffer> {
        /** The body's length in bytes, 0 for none, -1 if unknown. */
        long contentLength();

        /** Whether the body can be produced again, which makes a request eligible for retry. */
        default boolean isReplayable() {
            return false;
        }
    }

    /** Common body publishers. */
    public static final class BodyPublishers {
        private static final ByteArrayBodyPublisher NO_BODY = new ByteArrayBodyPublisher(new byte[0]);

        private BodyPublishers() {
        }

        /** No body at all. */
        public static BodyPublisher noBody() {
            return NO_BODY;
        }

        /** The string in UTF-8. */
        public static BodyPublisher ofString(String s) {
            return ofString(s, StandardCharsets.UTF_8);
        }

        public static BodyPublisher ofString(String s, Charset charset) {
            return new ByteArrayBodyPublisher(s.getBytes(charset));
        }

        /** The bytes, copied so later changes to the array do not change the body. */
        public static BodyPublisher ofByteArray(byte[] bytes) {
            return new ByteArrayBodyPublisher(bytes.clone());
        }

        /**
         * The file's content; its length is read now. Replayable. Sent without copying through
         * user space where the transport allows (Netty's {@code FileRegion} on plain TCP).
         *
         * @throws java.io.FileNotFoundException if it is not a readable regular file
         */
        public static BodyPublisher ofFile(java.nio.file.Path path) throws java.io.FileNotFoundException {
            return new FileBodyPublisher(path);
        }

        /**
         * The streams {@code supplier} gives, read in chunks as the connection can take them (on
         * the client's I/O thread: for streams that block for long, use {@link #ofPublisher} fed
         * from your own thread). Sent chunked. Replayable: each send asks for a new stream.
         */
        public static BodyPublisher ofInputStream(java.util.function.Supplier<? extends java.io.InputStream> supplier) {
            Objects.requireNonNull(supplier, "supplier");
            return new BodyPublisher() {
                @Override
                public long contentLength() {
                    return -1;
                }

                @Override
                public boolean isReplayable() {
                    return true;
                }

                @Override
                public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
                    java.io.InputStream in;
                    try {
                        in = Objects.requireNonNull(supplier.get(), "the supplier gave no stream");
                    } catch (RuntimeException e) {
                        subscriber.onSubscribe(ChunkedSubscription.EMPTY);
                        subscriber.onError(e);
                        return;
                    }
                    subscriber.onSubscribe(new ChunkedSubscription(subscriber, () -> {
                        byte[] chunk = in.readNBytes(16 * 1024);
                        return chunk.length == 0 ? null : ByteBuffer.wrap(chunk);
                    }, in));
                }
            };
        }

        /**
         * The buffers {@code publisher} emits, sent as they come and as the connection can take
         * them. {@code contentLength} is the exact total, or -1 if unknown (the body is then sent
         * chunked). Not replayable: a request with this body is never retried once a byte of it
         * is written.
         */
        public static BodyPublisher ofPublisher(Flow.Publisher<ByteBuffer> publisher, long contentLength) {
            Objects.requireNonNull(publisher, "publisher");
            if (contentLength < -1) {
                throw new IllegalArgumentException("contentLength must be -1 (unknown) or at least 0: " + contentLength);
            }
            return new BodyPublisher() {
                @Override
                public long contentLength() {
                    return contentLength;
                }

                @Override
                public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
                    publisher.subscribe(subscriber);
                }
            };
        }

        public static BodyPublisher ofByteArray(byte[] bytes, int offset, int length) {
            Objects.checkFromIndexSize(offset, length, bytes.length);
            byte[] copy = new byte[length];
            System.arraycopy(bytes, offset, copy, 0, length);
            return new ByteArrayBodyPublisher(copy);
        }
    }
}
