package io.keepwell.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The body as a blocking {@link InputStream}, available once the headers are. It asks for one
 * list of buffers at a time, when the previous one is consumed, so at most one list waits in
 * memory. Closing the stream before the end cancels the body, which closes the connection.
 */
final class InputStreamSubscriber implements HttpResponse.BodySubscriber<InputStream> {

    private static final List<ByteBuffer> END = List.of();

    private final LinkedBlockingQueue<Object> signals = new LinkedBlockingQueue<>(); // lists, END, or a Throwable
    private final CompletableFuture<InputStream> body = new CompletableFuture<>();
    private volatile Flow.Subscription subscription;

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        this.subscription = subscription;
        body.complete(new Stream());
        subscription.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> item) {
        signals.add(item);
    }

    @Override
    public void onError(Throwable throwable) {
        signals.add(throwable);
    }

    @Override
    public void onComplete() {
        signals.add(END);
    }

    @Override
    public CompletionStage<InputStream> getBody() {
        return body;
    }

    private final class Stream extends InputStream {
        private List<ByteBuffer> current = List.of();
        private int index;
        private boolean ended;
        private boolean closed;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n == -1 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            if (closed) {
                throw new IOException("stream closed");
            }
            if (len == 0) {
                return 0;
            }
            ByteBuffer buffer = nextReadable();
            if (buffer == null) {
                return -1;
            }
            int n = Math.min(len, buffer.remaining());
            buffer.get(b, off, n);
            return n;
        }

        private ByteBuffer nextReadable() throws IOException {
            while (true) {
                while (index < current.size()) {
                    ByteBuffer b = current.get(index);
                    if (b.hasRemaining()) {
                        return b;
                    }
                    index++;
                }
                if (ended) {
                    return null;
                }
                if (!current.isEmpty()) {
                    current = List.of();
                    subscription.request(1);
                }
                Object signal;
                try {
                    signal = signals.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted while waiting for the response body");
                }
                if (signal instanceof Throwable t) {
                    ended = true;
                    throw t instanceof IOException io ? io : new IOException(t);
                }
                @SuppressWarnings("unchecked")
                List<ByteBuffer> list = (List<ByteBuffer>) signal;
                if (list == END) {
                    ended = true;
                    return null;
                }
                current = list;
                index = 0;
            }
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                if (!ended) {
                    subscription.cancel();
                }
            }
        }
    }
}
